# stand-in for alert rule tests
