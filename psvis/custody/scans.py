"""Approval document scans: type-checked by their first bytes, size-limited, stored once
under ``<data_dir>/custody/scans/<sha256>`` (content-addressed, read-only).

The name a browser sends and the Content-Type it claims are ignored: an ``.exe`` renamed
``.pdf`` is refused because it does not *begin* like a PDF. Only PDF, PNG and JPEG are
taken — what a scanner or a phone produces, and what the console can show inline.
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

#: Largest scan accepted: a few pages at 300 dpi.
MAX_SCAN_BYTES: Final = 10 * 1024 * 1024
#: (magic prefix, media type), checked in order.
MAGIC: Final = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
SCAN_DIR: Final = Path("custody") / "scans"
_SHA256: Final = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True, slots=True)
class StoredScan:
    sha256: str
    size_bytes: int
    media_type: str
    path: Path


def media_type_of(data: bytes) -> str:
    """The scan's media type from its first bytes, or :class:`InvalidInput`."""
    if not data:
        raise InvalidInput("the approval scan is empty")
    if len(data) > MAX_SCAN_BYTES:
        raise InvalidInput(
            f"the approval scan is larger than {MAX_SCAN_BYTES // (1024 * 1024)} MB",
            details={"max_bytes": MAX_SCAN_BYTES},
        )
    for magic, media_type in MAGIC:
        if data.startswith(magic):
            return media_type
    raise InvalidInput("the approval scan must be a PDF, PNG or JPEG file (checked by content)")


def store(data_dir: Path, data: bytes) -> StoredScan:
    """Check and store ``data``; the same scan twice is stored once.

    Written to a temporary file, fsynced, made read-only, then renamed into place, so a
    crash never leaves a partial file under a hash name. A file left behind by a
    transaction that later rolls back is harmless: nothing refers to it, and an identical
    upload finds it already there."""
    media_type = media_type_of(data)
    digest = hashlib.sha256(data).hexdigest()
    directory = data_dir / SCAN_DIR
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = directory / digest
    if not target.exists():
        handle, name = tempfile.mkstemp(prefix=".scan-", dir=directory)
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
    return StoredScan(sha256=digest, size_bytes=len(data), media_type=media_type, path=target)


def path_of(data_dir: Path, sha256: str) -> Path:
    """The stored scan of ``sha256``; :class:`NotFound` if it is not there."""
    if not _SHA256.match(sha256):
        raise NotFound("approval scan not found")
    path = data_dir / SCAN_DIR / sha256
    if not path.is_file():
        raise NotFound("approval scan not found")
    return path
