# stand-in: tests for app.settings
