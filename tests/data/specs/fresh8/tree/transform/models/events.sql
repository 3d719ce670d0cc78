stand-in for transform/models/events.sql
