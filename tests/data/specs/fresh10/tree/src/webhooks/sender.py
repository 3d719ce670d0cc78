# stand-in for the webhook sender
