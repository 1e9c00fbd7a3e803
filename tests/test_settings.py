"""Settings and database URLs."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from bounceback.settings import Settings
from storage import database
from storage.database import DatabaseURLError, async_url, create_engine


def test_defaults() -> None:
    settings = Settings.from_mapping({})
    assert settings.database_url == "sqlite:///bounceback.db"
    assert settings.timezone == "UTC"
    assert settings.slack_bot_token is None


def test_environment_names_are_read() -> None:
    settings = Settings.from_mapping(
        {
            "DATABASE_URL": "postgresql://u@h/db",
            "BOUNCEBACK_TIMEZONE": "Asia/Kolkata",
            "SLACK_BOT_TOKEN": "xoxb-1",
        }
    )
    assert settings.timezone == "Asia/Kolkata"
    assert settings.slack_bot_token is not None
    assert "xoxb" not in repr(settings)  # secrets never print


def test_an_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ValidationError, match="unknown time zone"):
        Settings.from_mapping({"BOUNCEBACK_TIMEZONE": "Mars/Olympus"})


@pytest.mark.parametrize(
    ("plain", "driver"),
    [
        ("sqlite:///bounceback.db", "sqlite+aiosqlite"),
        ("sqlite:////var/lib/bounceback/b.db", "sqlite+aiosqlite"),
        ("postgresql://postgres@127.0.0.1:5432/test", "postgresql+asyncpg"),
        ("postgres://u:p@db/x", "postgresql+asyncpg"),
    ],
)
def test_plain_urls_get_an_async_driver(plain: str, driver: str) -> None:
    assert async_url(plain).drivername == driver


@pytest.mark.parametrize("bad", ["mysql://u@h/db", "not a url", ""])
def test_unsupported_urls_are_a_clear_error(bad: str) -> None:
    with pytest.raises(DatabaseURLError, match="DATABASE_URL"):
        async_url(bad)


def test_sqlite_without_json_functions_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert database.sqlite_has_json()  # this machine's, as every supported one
    monkeypatch.setattr(database, "sqlite_has_json", lambda: False)
    with pytest.raises(DatabaseURLError, match=r"no JSON functions.*SQLite 3\.38"):
        create_engine(f"sqlite:///{tmp_path}/bounceback.db")
    assert not (tmp_path / "bounceback.db").exists()
    # PostgreSQL needs nothing of this Python's SQLite (the engine connects lazily).
    create_engine("postgresql://postgres@127.0.0.1:5432/test").sync_engine.dispose()


def test_env_example_documents_every_setting_and_parses() -> None:
    from pathlib import Path

    example = Path(__file__).resolve().parent.parent / ".env.example"
    documented = {
        line.split("=", 1)[0]
        for line in example.read_text().splitlines()
        if "=" in line and not line.startswith("#")
    }
    names = {field.alias for field in Settings.model_fields.values()}
    assert documented == names
    settings = Settings(_env_file=example)  # type: ignore[call-arg]
    assert settings == Settings.from_mapping({})
