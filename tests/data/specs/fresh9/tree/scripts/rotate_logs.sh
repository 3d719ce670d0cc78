# stand-in for log rotation script
