# stand-in for webhook sender with send_event
