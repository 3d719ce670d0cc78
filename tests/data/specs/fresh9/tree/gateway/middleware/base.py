# stand-in for Middleware base class
