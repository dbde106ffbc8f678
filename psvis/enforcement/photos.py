"""Inspection photos: type-checked by their first bytes, size-limited, stored once under
``<data_dir>/enforcement/photos/<sha256>`` (content-addressed, read-only).

As with approval scans (:mod:`psvis.custody.scans`), the name and Content-Type a client
sends are ignored: a file is a photo only if it *begins* like a JPEG or PNG — what a
tablet's camera produces and what the console shows inline.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from psvis.core.errors import InvalidInput, NotFound

#: Largest photo accepted: a 12-megapixel JPEG from a tablet is 3-6 MB.
MAX_PHOTO_BYTES: Final = 12 * 1024 * 1024
#: Photos on one inspection: enough for every checklist item a few times.
MAX_PHOTOS: Final = 40
MAGIC: Final = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
PHOTO_DIR: Final = Path("enforcement") / "photos"
_SHA256: Final = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True, slots=True)
class StoredPhoto:
    sha256: str
    size_bytes: int
    media_type: str


def media_type_of(data: bytes) -> str:
    """The photo's media type from its first bytes, or :class:`InvalidInput`."""
    if not data:
        raise InvalidInput("the photo is empty")
    if len(data) > MAX_PHOTO_BYTES:
        raise InvalidInput(
            f"the photo is larger than {MAX_PHOTO_BYTES // (1024 * 1024)} MB",
            details={"max_bytes": MAX_PHOTO_BYTES},
        )
    for magic, media_type in MAGIC:
        if data.startswith(magic):
            return media_type
    raise InvalidInput("the photo must be a JPEG or PNG image (checked by content)")


def store(data_dir: Path, data: bytes) -> StoredPhoto:
    """Check and store ``data``; the same photo twice is stored once. Temporary file,
    fsync, read-only, rename, fsync of the directory: a crash never leaves a partial
    file under a hash name (a file of a rolled-back transaction is harmless)."""
    media_type = media_type_of(data)
    digest = hashlib.sha256(data).hexdigest()
    directory = data_dir / PHOTO_DIR
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = directory / digest
    if not target.exists():
        handle, name = tempfile.mkstemp(prefix=".photo-", dir=directory)
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
    return StoredPhoto(sha256=digest, size_bytes=len(data), media_type=media_type)


def path_of(data_dir: Path, sha256: str) -> Path:
    """The stored photo of ``sha256``; :class:`NotFound` if it is not there."""
    if not _SHA256.match(sha256):
        raise NotFound("photo not found")
    path = data_dir / PHOTO_DIR / sha256
    if not path.is_file():
        raise NotFound("photo not found")
    return path
