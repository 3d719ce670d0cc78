# stand-in for queue worker (process_message)
