# stand-in for etl package
