# stand-in for export CLI
