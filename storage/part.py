"""What each SQL part of the store holds: the database, and the cipher that seals what
people wrote (clear text without one)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.crypto import Cipher


class SqlPart:
    """A part of the store on ``engine``, sealing people's words with ``cipher``."""

    def __init__(self, engine: AsyncEngine, cipher: Cipher | None = None) -> None:
        self._engine = engine
        self._cipher = cipher or Cipher()
