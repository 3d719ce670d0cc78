# stand-in for webhooks package
