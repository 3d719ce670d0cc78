# stand-in for stale-upload cleanup stub
