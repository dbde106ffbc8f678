"""Recording test helpers: a private storage root, a camera pointed at a stream, waits."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from psvis.recording.models import Outage, Segment, StorageRoot
from psvis.recording.storage import Root, check_root, create_root
from psvis.recording.verify import Violation, verify
from psvis.registry.models import Camera
from tests.support.factories import Registry


@dataclass
class RecordingWorld:
    root: Root
    camera_id: int
    sessions: sessionmaker[Session]

    def segments(self) -> list[Segment]:
        with self.sessions() as session:
            return list(
                session.scalars(
                    select(Segment).where(Segment.camera_id == self.camera_id).order_by(Segment.seq)
                )
            )

    def outages(self) -> list[Outage]:
        with self.sessions() as session:
            return list(
                session.scalars(
                    select(Outage)
                    .where(Outage.camera_id == self.camera_id)
                    .order_by(Outage.start_at)
                )
            )

    def violations(self, *, allow_writing: bool = False) -> list[Violation]:
        with self.sessions() as session:
            return verify(session, roots=[self.root], deep=True, allow_writing=allow_writing)


def private_root(session: Session, path: Path, *, reserve_bytes: int = 0) -> Root:
    """A storage root of this test only (roots from the migrated template are disabled)."""
    session.execute(update(StorageRoot).values(enabled=False))
    row = create_root(session, name=f"test-{path.name}", path=path, reserve_bytes=reserve_bytes)
    session.commit()
    return check_root(row)


def camera_streaming_from(registry: Registry, url: str) -> int:
    """An accepted, operating camera whose stream URL is ``url``."""
    _unit, _site, _system, camera = registry.covered_site()
    registry.session.execute(update(Camera).where(Camera.id == camera.id).values(stream_url=url))
    registry.session.commit()
    return camera.id


def wait_for(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
