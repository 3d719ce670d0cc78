// stand-in for parser lexer
