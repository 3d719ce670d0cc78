# stand-in for scripts/load_fixture_db.sh
