"""Bounceback's storage: the engine's ports on SQLAlchemy 2, for SQLite and PostgreSQL."""
