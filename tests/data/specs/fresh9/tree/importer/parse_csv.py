# stand-in for CSV importer with parse_rows
