"""Slack's OAuth tables come from Bounceback's migrations, never from slack_sdk at start."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from slack_sdk.oauth.installation_store import Bot
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from sqlalchemy import Connection, MetaData, Table, inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.slack.oauth import oauth_stores
from storage.database import alembic_config, create_engine, upgrade

SLACK_TABLES = ("slack_bots", "slack_installations", "slack_oauth_states")


def slack_sdk_tables() -> dict[str, Table]:
    """The tables as slack_sdk itself defines them (what its stores read and write)."""
    metadata = MetaData()
    return {
        "slack_installations": AsyncSQLAlchemyInstallationStore.build_installations_table(
            metadata, "slack_installations"
        ),
        "slack_bots": AsyncSQLAlchemyInstallationStore.build_bots_table(metadata, "slack_bots"),
        "slack_oauth_states": AsyncSQLAlchemyOAuthStateStore.build_oauth_states_table(
            metadata, "slack_oauth_states"
        ),
    }


def _shape(connection: Connection, name: str) -> dict[str, tuple[Any, ...]]:
    """Each column's nullability and length, as the database reports them."""
    return {
        column["name"]: (column["nullable"], getattr(column["type"], "length", None))
        for column in inspect(connection).get_columns(name)
    }


async def test_migrations_create_slacks_tables_as_slack_sdk_defines_them(
    database_url: str,
) -> None:
    db = create_engine(database_url)
    try:
        async with db.connect() as connection:
            migrated = {n: await connection.run_sync(_shape, n) for n in SLACK_TABLES}
    finally:
        await db.dispose()
    for name, table in slack_sdk_tables().items():
        expected = {
            column.name: (column.nullable, getattr(column.type, "length", None))
            for column in table.columns
        }
        assert migrated[name] == expected, name


async def test_starting_creates_no_table(tmp_path: Path) -> None:
    db = create_engine(f"sqlite:///{tmp_path}/bare.db")
    try:
        await oauth_stores(db, "111.222")
        assert await _tables(db) == set()
    finally:
        await db.dispose()


async def test_tables_slack_sdk_made_before_are_kept_with_their_tokens(tmp_path: Path) -> None:
    """Earlier releases let slack_sdk create the tables at start: upgrading adopts them."""
    db = create_engine(f"sqlite:///{tmp_path}/old.db")
    try:
        async with db.begin() as connection:
            await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), "0004"))
        installations = AsyncSQLAlchemyInstallationStore(client_id="111.222", engine=db)
        await installations.create_tables()  # type: ignore[no-untyped-call]
        await AsyncSQLAlchemyOAuthStateStore(expiration_seconds=60, engine=db).create_tables()  # type: ignore[no-untyped-call]
        await installations.async_save_bot(
            Bot(
                app_id="A1",
                team_id="T9",
                bot_token="xoxb-T9",
                bot_id="B9",
                bot_user_id="U9",
                installed_at=1.0,
            )
        )

        await upgrade(db)

        assert set(SLACK_TABLES) <= await _tables(db)
        found = await installations.async_find_bot(enterprise_id=None, team_id="T9")
        assert found is not None and found.bot_token == "xoxb-T9"
    finally:
        await db.dispose()


async def _tables(db: AsyncEngine) -> set[str]:
    async with db.connect() as connection:
        names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    return {name for name in names if name.startswith("slack_")}
