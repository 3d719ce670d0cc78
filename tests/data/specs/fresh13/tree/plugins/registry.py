# stand-in for plugin registry (PluginRegistry, register)
