# stand-in for the legacy order loader
