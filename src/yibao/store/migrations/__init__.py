"""Alembic migrations of the yibao database, shipped inside the package."""
