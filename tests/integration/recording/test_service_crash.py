"""The whole recorder service killed with SIGKILL mid-write, then restarted: the recovery
pass reconciles disk and index before anything records, and the invariants hold."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, update

from psvis.core.config import Settings
from psvis.core.db import make_engine, make_session_factory
from psvis.core.secrets import SecretBox
from psvis.recording.enums import OutageCause, SegmentState
from psvis.recording.models import StorageRoot
from psvis.recording.service import RecorderService
from psvis.recording.sim import SimCamera
from psvis.recording.storage import StorageRefused, check_root
from tests.integration.recording.test_recorder_faults import free_port
from tests.support.factories import Registry
from tests.support.recording import RecordingWorld, camera_streaming_from, private_root, wait_for


@pytest.fixture
def sim() -> Iterator[SimCamera]:
    camera = SimCamera("SIM-S", free_port(), width=320, height=180, fps=25, gop=25, bitrate=400_000)
    camera.start()
    camera.wait_ready()
    try:
        yield camera
    finally:
        camera.close()


def service_env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PSVIS_")}
    return env | {
        "PSVIS_DATA_DIR": str(settings.data_dir),
        "PSVIS_DATABASE_URL": settings.resolved_database_url(),
        "PSVIS_SEGMENT_SECONDS": "2",
        "PSVIS_LEASE_SECONDS": "10",
        "PSVIS_NODE_NAME": "node-test",
    }


def test_service_killed_9_mid_write_then_restarted(
    settings: Settings, registry: Registry, sim: SimCamera, tmp_path: Path
) -> None:
    root = private_root(registry.session, tmp_path / "recordings")
    camera_id = camera_streaming_from(registry, sim.url)
    engine = make_engine(settings.resolved_database_url())
    world = RecordingWorld(root=root, camera_id=camera_id, sessions=make_session_factory(engine))
    service = subprocess.Popen(
        [sys.executable, "-m", "psvis.cli", "record"],
        env=service_env(settings),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        wait_for(lambda: len(world.segments()) >= 2, timeout=40, what="the service recording")
        time.sleep(1.2)  # inside the next segment: a file is being written
        os.killpg(service.pid, signal.SIGKILL)
        service.wait(timeout=10)
    finally:
        if service.poll() is None:
            os.killpg(service.pid, signal.SIGKILL)
            service.wait(timeout=10)
        if service.stderr is not None:
            service.stderr.close()
    time.sleep(0.5)  # ffmpeg dies with its parent (PR_SET_PDEATHSIG)
    leftovers = sorted((root.camera_dir(camera_id) / ".writing").glob("*.ts"))
    assert leftovers, "a file was being written when the service died"
    before = world.violations()
    assert {v.invariant for v in before} == {"S3"}  # the unindexed partial file, nothing else
    sealed_before = len(world.segments())

    restarted = RecorderService(
        settings=settings.model_copy(
            update={"segment_seconds": 2, "lease_seconds": 10, "node_name": "node-test"}
        ),
        sessions=world.sessions,
        box=SecretBox.from_data_dir(settings.data_dir),
    )
    report = restarted.start()
    try:
        assert len(report.recovered) + len(report.quarantined) == len(leftovers)
        assert report.outages_opened, "the downtime must become an outage"
        wait_for(
            lambda: len(world.segments()) >= sealed_before + len(report.recovered) + 2,
            timeout=40,
            what="recording to resume after restart",
        )
    finally:
        restarted.stop(reason="test finished")
    segments = world.segments()
    assert any(s.state is SegmentState.RECOVERED for s in segments) or report.quarantined
    crash = [o for o in world.outages() if o.cause is OutageCause.RECORDER_CRASH]
    assert crash
    assert crash[0].end_at is not None
    assert world.violations() == []
    engine.dispose()


def test_swapped_storage_root_is_refused(
    settings: Settings, registry: Registry, tmp_path: Path
) -> None:
    root = private_root(registry.session, tmp_path / "disk-a")
    other = private_root(registry.session, tmp_path / "disk-b")
    # "Swap the disks": disk-a now carries disk-b's identity file.
    (root.path / ".psvis-storage").write_bytes((other.path / ".psvis-storage").read_bytes())
    registry.session.execute(
        update(StorageRoot).where(StorageRoot.id == root.id).values(enabled=True)
    )
    registry.session.commit()
    row = registry.session.scalar(select(StorageRoot).where(StorageRoot.id == root.id))
    assert row is not None
    with pytest.raises(StorageRefused, match="foreign"):
        check_root(row)
    engine = make_engine(settings.resolved_database_url())
    service = RecorderService(
        settings=settings,
        sessions=make_session_factory(engine),
        box=SecretBox.from_data_dir(settings.data_dir),
    )
    with pytest.raises(StorageRefused):
        service.start()
    assert not any(root.path.rglob("*.ts"))
    engine.dispose()
