# stand-in for the file the fresh5 specs name: scripts/post_social.py
