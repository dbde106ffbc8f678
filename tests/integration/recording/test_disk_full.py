"""A real full disk (a small tmpfs): recording stops with an outage ``storage_full``,
nothing in retention is deleted (Art. 17(4), invariants S7 and S10)."""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from psvis.core.config import Settings
from psvis.core.db import make_engine, make_session_factory
from psvis.core.timeutil import utcnow
from psvis.recording.enums import OutageCause
from psvis.recording.recorder import CameraRecorder
from psvis.recording.retention import sweep
from psvis.recording.sim import SimCamera
from psvis.recording.sources import source_for
from tests.integration.recording.test_recorder_faults import free_port
from tests.support.factories import Registry
from tests.support.recording import RecordingWorld, camera_streaming_from, private_root, wait_for


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"cannot mount a tmpfs for the disk-full test (needs root): {result.stderr}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


@pytest.fixture
def sim() -> Iterator[SimCamera]:
    camera = SimCamera(
        "SIM-FULL", free_port(), width=640, height=360, fps=25, gop=25, bitrate=2_000_000
    )
    camera.start()
    camera.wait_ready()
    try:
        yield camera
    finally:
        camera.close()


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings.resolved_database_url())
    try:
        yield engine
    finally:
        engine.dispose()


def run_until_full(
    engine: Engine, registry: Registry, sim: SimCamera, disk: Path, reserve: int
) -> tuple[RecordingWorld, CameraRecorder]:
    root = private_root(registry.session, disk / "recordings", reserve_bytes=reserve)
    camera_id = camera_streaming_from(registry, sim.url)
    world = RecordingWorld(root=root, camera_id=camera_id, sessions=make_session_factory(engine))
    rec = CameraRecorder(
        camera_id=camera_id,
        source=source_for(sim.url),
        root=root,
        sessions=world.sessions,
        node="node-full",
        segment_seconds=2,
        lease_seconds=10,
        backoff_max_s=2,
    )
    rec.start()
    wait_for(
        lambda: any(o.cause is OutageCause.STORAGE_FULL for o in world.outages()),
        timeout=90,
        what="an outage storage_full",
    )
    return world, rec


def assert_nothing_in_retention_deleted(world: RecordingWorld, session: Session) -> None:
    sealed = world.segments()
    assert sealed, "something was recorded before the disk filled"
    for segment in sealed:
        assert (world.root.path / segment.rel_path).stat().st_size == segment.size_bytes
    report = sweep(session, roots={world.root.id: world.root}, now=utcnow())
    assert report.expired == []
    assert report.files_deleted == 0
    for segment in world.segments():
        assert segment.expired_at is None
        assert (world.root.path / segment.rel_path).is_file()


def test_reserve_reached_stops_recording_and_keeps_everything(
    engine: Engine, registry: Registry, sim: SimCamera, small_disk: Path
) -> None:
    world, rec = run_until_full(engine, registry, sim, small_disk, reserve=2 * 1024 * 1024)
    try:
        count = len(world.segments())
        outage = next(o for o in world.outages() if o.cause is OutageCause.STORAGE_FULL)
        assert outage.end_at is None
        # While below the reserve nothing new is started.
        wait_for(lambda: rec.info.state.value == "reconnecting", timeout=10, what="waiting")
        assert len(world.segments()) == count
    finally:
        rec.stop(reason="test finished")
    with world.sessions() as session:
        assert_nothing_in_retention_deleted(world, session)
    assert world.violations() == []


def test_disk_really_full_enospc_is_storage_full(
    engine: Engine, registry: Registry, sim: SimCamera, small_disk: Path
) -> None:
    world, rec = run_until_full(engine, registry, sim, small_disk, reserve=0)
    rec.stop(reason="test finished")
    outage = next(o for o in world.outages() if o.cause is OutageCause.STORAGE_FULL)
    assert outage.start_at <= utcnow() + dt.timedelta(seconds=1)
    with world.sessions() as session:
        assert_nothing_in_retention_deleted(world, session)
    # The file being written when the disk filled is recovered or quarantined, never lost.
    assert world.violations() == []
