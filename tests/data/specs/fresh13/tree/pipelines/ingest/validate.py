# stand-in for validate_batch stub
