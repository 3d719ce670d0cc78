# stand-in: settings loader reading config/defaults.yaml
