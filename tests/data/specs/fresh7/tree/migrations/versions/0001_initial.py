# stand-in: initial Alembic migration
