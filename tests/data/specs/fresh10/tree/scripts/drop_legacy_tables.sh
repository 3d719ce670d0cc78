# stand-in for legacy table drop script
