# stand-in for the file the fresh5 specs name: etl/common/io.py
