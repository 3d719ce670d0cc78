stand-in for collectors/events_collector.py
