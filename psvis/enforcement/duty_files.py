"""Files of duty documents (Art. 17(1)): a PDF or a scan (JPEG, PNG), typed by its first
bytes (the name and the claimed type are ignored), size-limited, stored once under
``<data_dir>/enforcement/duty/<sha256>`` — temp file, fsync, read-only, rename, fsync
of the directory, as the inspection photos (:mod:`psvis.enforcement.photos`)."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from psvis.core.errors import InvalidInput, NotFound

#: A scanned set of rules or a month's duty log is a few MB.
MAX_FILE_BYTES: Final = 20 * 1024 * 1024
MAGIC: Final = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
DUTY_DIR: Final = Path("enforcement") / "duty"
_SHA256: Final = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True, slots=True)
class StoredFile:
    sha256: str
    size_bytes: int
    media_type: str


def media_type_of(data: bytes) -> str:
    if not data:
        raise InvalidInput("the file is empty")
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInput(
            f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB",
            details={"max_bytes": MAX_FILE_BYTES},
        )
    for magic, media_type in MAGIC:
        if data.startswith(magic):
            return media_type
    raise InvalidInput("the file must be a PDF, JPEG or PNG (checked by content)")


def store(data_dir: Path, data: bytes) -> StoredFile:
    media_type = media_type_of(data)
    digest = hashlib.sha256(data).hexdigest()
    directory = data_dir / DUTY_DIR
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = directory / digest
    if not target.exists():
        handle, name = tempfile.mkstemp(prefix=".duty-", dir=directory)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(name, 0o400)
            os.replace(name, target)
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    return StoredFile(sha256=digest, size_bytes=len(data), media_type=media_type)


def path_of(data_dir: Path, sha256: str) -> Path:
    if not _SHA256.fullmatch(sha256):
        raise NotFound("file not found")
    path = data_dir / DUTY_DIR / sha256
    if not path.is_file():
        raise NotFound("file not found")
    return path
