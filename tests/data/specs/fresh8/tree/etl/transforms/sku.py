stand-in for etl/transforms/sku.py
