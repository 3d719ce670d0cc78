# stand-in for config/settings_local.py
