# stand-in for consumer (worker/consumer.py)
