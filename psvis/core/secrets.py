"""Secrets at rest: camera credentials are encrypted with a key file in the data dir.

The key file is created on first use with mode 0600. Losing it makes stored credentials
unreadable (they must be re-entered), never readable by someone else.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from psvis.core.errors import PsvisError

KEY_FILE_NAME = "credentials.key"


class SecretBox:
    """Encrypts and decrypts short secrets (camera passwords) with one Fernet key."""

    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)

    @classmethod
    def from_data_dir(cls, data_dir: Path) -> SecretBox:
        path = data_dir / "keys" / KEY_FILE_NAME
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            key = Fernet.generate_key()
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(key)
        return cls(path.read_bytes().strip())

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken as exc:
            raise PsvisError("stored credential cannot be decrypted with this key") from exc
