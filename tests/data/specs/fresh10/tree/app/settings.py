# stand-in for app settings
