# stand-in for slugify (utils/slugify.py)
