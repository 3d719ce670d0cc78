# stand-in for export header tests
