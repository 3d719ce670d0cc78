# stand-in for offline DNS records validator
