#!/bin/bash
# Print home and scratch usage for a user. Usage: check_quota.sh [user]
USER_NAME="${1:-$USER}"
echo "== /home/$USER_NAME"
quota -s -u "$USER_NAME" 2>/dev/null | tail -n +3
echo "== /scratch/$USER_NAME"
lfs quota -h -u "$USER_NAME" /scratch | sed -n '3p'
