"""Encrypting people's free text at rest (notes, reflections, feedback, wins, check-in answers).

With ``BOUNCEBACK_ENCRYPTION_KEY`` set, those fields are sealed with Fernet (AES-128-CBC with an
HMAC, from the ``cryptography`` package) before they reach the database. The setting takes one
or more comma-separated keys: the first encrypts, every one decrypts, so a key can be rotated
without downtime (see ``bounceback db rotate-key``). Without a key, text is stored in clear.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

# Sealed values carry a marker, so clear and sealed text can live side by side (a key added
# later leaves older rows readable, and rotate-key seals them).
_MARK = "fernet:"


class CipherError(RuntimeError):
    """Stored text cannot be opened: a missing or wrong key. Never carries the text itself."""


class Cipher:
    """Seals and opens free-text fields with the configured keys (or passes them through)."""

    def __init__(self, keys: Sequence[str] = ()) -> None:
        try:
            fernets = [Fernet(key.strip().encode()) for key in keys if key.strip()]
        except ValueError as error:
            raise CipherError(
                "BOUNCEBACK_ENCRYPTION_KEY must be Fernet keys (32 url-safe base64 bytes); "
                "make one with: bounceback db new-key"
            ) from error
        self._fernet = MultiFernet(fernets) if fernets else None

    @classmethod
    def from_setting(cls, value: str | None) -> Cipher:
        """The cipher for a comma-separated list of keys (None or empty: no encryption)."""
        return cls(value.split(",") if value else ())

    @staticmethod
    def new_key() -> str:
        """A fresh random key."""
        return Fernet.generate_key().decode()

    @property
    def enabled(self) -> bool:
        """Whether new text is sealed."""
        return self._fernet is not None

    def seal(self, text: str) -> str:
        """``text`` as it should be stored."""
        if self._fernet is None or not text:
            return text
        return _MARK + self._fernet.encrypt(text.encode("utf-8")).decode("ascii")

    def open(self, stored: str) -> str:
        """Stored text as the person wrote it."""
        if not stored.startswith(_MARK):
            return stored
        if self._fernet is None:
            raise CipherError("stored text is encrypted but BOUNCEBACK_ENCRYPTION_KEY is not set")
        try:
            return self._fernet.decrypt(stored[len(_MARK) :].encode("ascii")).decode("utf-8")
        except InvalidToken as error:
            raise CipherError(
                "stored text was encrypted with a key that is not configured"
            ) from error

    def reseal(self, stored: str) -> str:
        """Stored text sealed with the current (first) key, whatever it was sealed with."""
        return self.seal(self.open(stored))
