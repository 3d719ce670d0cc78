class Order:
    currency = None
