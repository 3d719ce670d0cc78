# stand-in for ORM models incl. Order
