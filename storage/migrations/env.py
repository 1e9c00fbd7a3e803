"""Alembic environment: migrations run on the connection Bounceback hands over."""

from __future__ import annotations

from alembic import context

from storage.tables import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `bounceback db upgrade`, which supplies the connection")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    # How `bounceback db upgrade` shows each migration as it is done (storage.database).
    on_version_apply=context.config.attributes.get("on_version_apply") or (),
)
with context.begin_transaction():
    context.run_migrations()
