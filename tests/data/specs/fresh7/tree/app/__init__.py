# stand-in: app package
