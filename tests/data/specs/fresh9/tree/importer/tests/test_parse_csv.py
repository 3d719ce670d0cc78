# stand-in for CSV importer tests
