#!/usr/bin/env bash
# Usage: scripts/bump_version.sh 7.15.0
set -euo pipefail
NEW="$1"
GRADLE=mobile/android/app/build.gradle.kts
CODE=$(grep -o 'versionCode = [0-9]*' "$GRADLE" | grep -o '[0-9]*')
sed -i "s/versionCode = $CODE/versionCode = $((CODE+1))/" "$GRADLE"
sed -i "s/versionName = \".*\"/versionName = \"$NEW\"/" "$GRADLE"
echo "Android bumped to $NEW ($((CODE+1)))"
