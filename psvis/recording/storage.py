"""Storage roots: identity files, the segment layout, free space.

Layout (docs/design/recording.md): ``<root>/<camera_id>/<YYYY-MM-DD>/<YYYYmmddTHHMMSS>Z.ts``
with UTC dates; ``<root>/.quarantine/`` for files that could not be sealed.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import uuid
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from psvis.core.errors import Conflict, InvalidInput, NotFound, PsvisError
from psvis.core.timeutil import utcnow
from psvis.ledger import config_changes
from psvis.recording.models import StorageRoot

IDENTITY_FILE = ".psvis-storage"
QUARANTINE_DIR = ".quarantine"
SEGMENT_SUFFIX = ".ts"
#: ffmpeg strftime pattern of a segment's file name inside its date directory.
SEGMENT_NAME_PATTERN = "%Y%m%dT%H%M%SZ.ts"
#: Length of ``storage_root.path``.
MAX_PATH_CHARS = 1000


class StorageRefused(PsvisError):
    """A root whose identity file is missing or foreign: never written into."""

    status_code = 503
    code = "storage_refused"


@lru_cache(maxsize=256)
def _real_root(path: Path) -> Path:
    """A storage root's real path. Resolved once per process: roots are checked (identity
    file) when they are opened, and resolving the root for every sealed segment cost a
    realpath walk each time (bench/recording.py)."""
    return path.resolve()


@dataclass(frozen=True, slots=True)
class Root:
    """A checked storage root, ready to use."""

    id: int
    name: str
    path: Path
    reserve_bytes: int

    def camera_dir(self, camera_id: int) -> Path:
        return self.path / str(camera_id)

    def day_dir(self, camera_id: int, day: dt.date) -> Path:
        return self.camera_dir(camera_id) / day.isoformat()

    def absolute(self, rel_path: str) -> Path:
        """The file for a stored relative path, refusing anything that escapes the root."""
        candidate = (self.path / rel_path).resolve()
        if not candidate.is_relative_to(self.path.resolve()):
            raise PsvisError(f"path {rel_path!r} escapes storage root {self.name}")
        return candidate

    def relative(self, path: Path) -> str:
        return path.resolve().relative_to(_real_root(self.path)).as_posix()

    def free_bytes(self) -> int:
        return shutil.disk_usage(self.path).free


def read_identity(path: Path) -> str | None:
    try:
        data = json.loads((path / IDENTITY_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    identity = data.get("identity") if isinstance(data, dict) else None
    return identity if isinstance(identity, str) else None


def create_root(
    session: Session, *, name: str, path: Path, reserve_bytes: int, actor: str = "system"
) -> StorageRoot:
    """Register a directory as a storage root, writing its identity file (fsynced), and
    queue its path and state as ``config.changed`` entries (``actor``: who added it;
    ``system`` for the root ``psvis init`` creates).

    An existing identity file is adopted only if no other row claims it."""
    path = path.resolve()
    path.mkdir(parents=True, exist_ok=True)
    identity = read_identity(path)
    if identity is not None:
        claimed = session.scalar(select(StorageRoot).where(StorageRoot.identity == identity))
        if claimed is not None:
            raise Conflict(f"{path} is already storage root {claimed.name!r}")
    else:
        identity = str(uuid.uuid4())
        target = path / IDENTITY_FILE
        tmp = path / f"{IDENTITY_FILE}.tmp"
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump({"identity": identity, "name": name}, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
        fsync_dir(path)
    if session.scalar(select(StorageRoot.id).where(StorageRoot.name == name)) is not None:
        raise Conflict(f"a storage root named {name!r} already exists")
    row = StorageRoot(name=name, path=str(path), identity=identity, reserve_bytes=reserve_bytes)
    session.add(row)
    session.flush()
    _record(session, row, before=config_changes.storage_facts(None), actor=actor)
    return row


def get_root(session: Session, *, name: str) -> StorageRoot:
    row = session.scalar(select(StorageRoot).where(StorageRoot.name == name))
    if row is None:
        raise NotFound(f"no storage root named {name!r}")
    return row


def set_enabled(session: Session, *, name: str, enabled: bool, actor: str) -> StorageRoot:
    """Enable or disable a root; the change is queued in the ledger in this transaction
    (a disabled root receives no recordings: Art. 17(4)'s window depends on it). A root
    is enabled only when its identity check passes: an enabled root that is refused
    stops the recorder service from starting."""
    row = get_root(session, name=name)
    before = config_changes.storage_facts(row)
    if enabled and not row.enabled:
        check_root(row)
    row.enabled = enabled
    _record(session, row, before=before, actor=actor)
    session.flush()
    return row


def set_path(session: Session, *, name: str, path: Path, actor: str) -> StorageRoot:
    """Point a root at the directory it now lives in (a disk remounted elsewhere). The
    new directory must hold this root's identity file, so a path change can never swap
    one disk for another; queued in the ledger in this transaction."""
    row = get_root(session, name=name)
    before = config_changes.storage_facts(row)
    if "\0" in str(path):
        raise InvalidInput("a storage path cannot contain a NUL character")
    path = path.resolve()
    if len(str(path)) > MAX_PATH_CHARS:
        raise InvalidInput(f"a storage path is limited to {MAX_PATH_CHARS} characters")
    found = read_identity(path) if path.is_dir() else None
    if found != row.identity:
        what = "no identity file" if found is None else f"the identity of another root ({found})"
        raise StorageRefused(
            f"{path} holds {what}, not storage root {row.name!r}'s ({row.identity}); "
            "a root's path may only change to where its own disk is mounted"
        )
    row.path = str(path)
    _record(session, row, before=before, actor=actor)
    session.flush()
    return row


def _record(
    session: Session, row: StorageRoot, *, before: dict[str, config_changes.Fact], actor: str
) -> None:
    config_changes.record_changes(
        session,
        subject=config_changes.STORAGE,
        subject_id=row.id,
        before=before,
        after=config_changes.storage_facts(row),
        actor=actor,
        at=utcnow(),
    )


def check_root(row: StorageRoot) -> Root:
    """Verify a root's identity file; raise :class:`StorageRefused` when it is missing or
    belongs to another root (unmounted or swapped disk)."""
    path = Path(row.path)
    found = read_identity(path) if path.is_dir() else None
    if found != row.identity:
        what = "missing" if found is None else f"foreign ({found})"
        raise StorageRefused(
            f"storage root {row.name!r} at {path}: identity file {what}, expected "
            f"{row.identity}; refusing to write (unmounted or swapped disk?)"
        )
    return Root(id=row.id, name=row.name, path=path, reserve_bytes=row.reserve_bytes)


def usable_roots(session: Session) -> list[Root]:
    """Every enabled root that passes its identity check (refused ones raise)."""
    rows = session.scalars(select(StorageRoot).where(StorageRoot.enabled.is_(True)))
    return [check_root(row) for row in rows]


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def segment_start_from_name(name: str) -> dt.datetime | None:
    """The wall time ffmpeg encoded in a segment's file name, or None if not ours."""
    try:
        return dt.datetime.strptime(name, SEGMENT_NAME_PATTERN).replace(tzinfo=dt.UTC)
    except ValueError:
        return None
