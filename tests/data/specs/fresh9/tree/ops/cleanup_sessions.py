# stand-in for stale session cleanup script with dry-run
