stand-in for migration runner script
