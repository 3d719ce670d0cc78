' stand-in
