# stand-in for Prometheus alert rule builder
