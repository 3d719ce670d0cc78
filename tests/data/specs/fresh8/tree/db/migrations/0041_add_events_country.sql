stand-in for db/migrations/0041_add_events_country.sql
