#!/usr/bin/env bash
# Upload a packaged delivery to the client's SFTP drop. Client is notified automatically on arrival.
set -euo pipefail
MANIFEST="$1"
BUILD=$(python3 -c "import json,sys;print(json.load(open('$MANIFEST'))['build'])")
echo "Uploading build $BUILD to client drop..."
sftp -b - "lumen@drop.client-example.com" <<SFTP
put -r loc/strings /incoming/build_${BUILD}
put $MANIFEST /incoming/build_${BUILD}/manifest.json
SFTP
