# stand-in for the consume benchmark with in-memory fake broker
