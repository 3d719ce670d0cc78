#!/usr/bin/env bash
set -euo pipefail
# Shared CI entry point. Usage: tools/build.sh pharmacy|game
case "${1:-}" in
  pharmacy) pytest -q pharmacy/tests ;;
  game) echo "Unity build runs on the mac runner"; exit 0 ;;
  *) echo "usage: $0 pharmacy|game"; exit 2 ;;
esac
