# stand-in for migrations/versions/7c1e2a_add_user_locale.py
