#!/bin/sh
set -e
rsync -a build/ web:/srv/app/
