"""The recorder under real faults: real ffmpeg, a real simulated camera, real kills.

After every fault the invariant check (docs/design/recording.md) must find nothing.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from psvis.core.config import Settings
from psvis.core.db import make_engine, make_session_factory
from psvis.core.timeutil import utcnow
from psvis.recording.enums import OutageCause, RecorderState, SegmentState
from psvis.recording.recorder import CameraRecorder
from psvis.recording.sim import SimCamera
from psvis.recording.sources import source_for
from tests.support.factories import Registry
from tests.support.recording import RecordingWorld, camera_streaming_from, private_root, wait_for

SEGMENT_SECONDS = 2
#: How far a run's anchor may place segment boundaries from the true instants: the
#: connection latency (docs/design/time.md, ≈ 0.25 s locally; more on a loaded machine).
ANCHOR_ERROR = dt.timedelta(seconds=1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def sim() -> Iterator[SimCamera]:
    camera = SimCamera("SIM-T", free_port(), width=320, height=180, fps=25, gop=25, bitrate=400_000)
    camera.start()
    camera.wait_ready()
    try:
        yield camera
    finally:
        camera.close()


@pytest.fixture
def world(
    settings: Settings, registry: Registry, sim: SimCamera, tmp_path: Path
) -> Iterator[RecordingWorld]:
    root = private_root(registry.session, tmp_path / "recordings")
    camera_id = camera_streaming_from(registry, sim.url)
    engine = make_engine(settings.resolved_database_url())
    try:
        yield RecordingWorld(root=root, camera_id=camera_id, sessions=make_session_factory(engine))
    finally:
        engine.dispose()


def recorder(world: RecordingWorld, url: str, *, node: str = "node-a") -> CameraRecorder:
    return CameraRecorder(
        camera_id=world.camera_id,
        source=source_for(url),
        root=world.root,
        sessions=world.sessions,
        node=node,
        segment_seconds=SEGMENT_SECONDS,
        lease_seconds=10,
        backoff_max_s=2,
    )


def test_records_sealed_segments_and_stops_cleanly(world: RecordingWorld, sim: SimCamera) -> None:
    rec = recorder(world, sim.url)
    rec.start()
    wait_for(lambda: len(world.segments()) >= 3, timeout=30, what="three sealed segments")
    rec.stop(reason="maintenance window")
    segments = world.segments()
    assert [s.seq for s in segments] == list(range(1, len(segments) + 1))
    assert all(s.state is SegmentState.SEALED and s.codec == "h264" for s in segments)
    assert all(s.width == 320 and s.height == 180 and s.keyframes >= 1 for s in segments)
    for before, after in itertools.pairwise(segments):
        assert after.start_at >= before.end_at
        assert (after.start_at - before.end_at).total_seconds() < 1.0
    for segment in segments:
        path = world.root.path / segment.rel_path
        assert path.stat().st_size == segment.size_bytes
        assert not path.stat().st_mode & 0o222  # read-only
        assert segment.rel_path.startswith(
            f"{world.camera_id}/{segment.start_at.date().isoformat()}/"
        )
    outages = world.outages()
    assert [o.cause for o in outages] == [OutageCause.OPERATOR_STOP]
    assert outages[0].detail == "maintenance window"
    assert outages[0].start_at == segments[-1].end_at
    assert world.violations() == []


def test_kill_9_ffmpeg_mid_segment_recovers_and_restarts(
    world: RecordingWorld, sim: SimCamera
) -> None:
    rec = recorder(world, sim.url)
    rec.start()
    wait_for(lambda: len(world.segments()) >= 2, timeout=30, what="two sealed segments")
    time.sleep(SEGMENT_SECONDS * 0.6)  # well inside the next segment
    pid = rec.pid
    assert pid is not None
    os.killpg(pid, signal.SIGKILL)
    wait_for(
        lambda: any(s.state is SegmentState.RECOVERED for s in world.segments()),
        timeout=20,
        what="the partial segment sealed as recovered",
    )
    count = len(world.segments())
    wait_for(lambda: len(world.segments()) >= count + 2, timeout=30, what="recording to resume")
    rec.stop()
    assert rec.info.restarts >= 1
    crash = [o for o in world.outages() if o.cause is OutageCause.RECORDER_CRASH]
    assert len(crash) == 1
    assert crash[0].end_at is not None
    assert crash[0].end_at > crash[0].start_at
    recovered = [s for s in world.segments() if s.state is SegmentState.RECOVERED]
    assert recovered[0].end_at <= crash[0].start_at + dt.timedelta(seconds=1)
    assert world.violations() == []


def test_camera_gone_for_20_seconds_is_an_outage_with_its_cause(
    world: RecordingWorld, sim: SimCamera
) -> None:
    rec = recorder(world, sim.url)
    rec.start()
    wait_for(lambda: len(world.segments()) >= 2, timeout=30, what="two sealed segments")
    stopped_at = utcnow()
    sim.fault("stop")
    wait_for(lambda: rec.info.state is RecorderState.RECONNECTING, timeout=15, what="reconnecting")
    time.sleep(20)
    before = len(world.segments())
    sim.fault("clear")
    cleared_at = utcnow()
    wait_for(lambda: len(world.segments()) >= before + 2, timeout=40, what="reconnection")
    rec.stop()
    gone = [o for o in world.outages() if o.cause is not OutageCause.OPERATOR_STOP]
    assert len(gone) == 1, world.outages()
    outage = gone[0]
    assert outage.cause is OutageCause.CAMERA_UNREACHABLE
    assert "Connection refused" in outage.detail
    assert outage.end_at is not None
    # The camera was away from ``stopped_at`` to ``cleared_at`` (over 20 s): the outage
    # covers that, up to where a run's anchor places segment boundaries (time.md: the
    # connection latency, which a loaded machine stretches — hence ANCHOR_ERROR).
    assert outage.start_at <= stopped_at + ANCHOR_ERROR
    assert outage.end_at >= cleared_at - ANCHOR_ERROR
    assert (outage.end_at - outage.start_at) >= dt.timedelta(seconds=20) - ANCHOR_ERROR
    segments = world.segments()
    assert any(s.end_at == outage.start_at for s in segments)
    assert any(s.start_at == outage.end_at for s in segments)
    assert all(b.start_at >= a.end_at for a, b in itertools.pairwise(segments))
    assert world.violations() == []


def test_second_node_waits_for_the_lease(world: RecordingWorld, sim: SimCamera) -> None:
    first = recorder(world, sim.url, node="node-a")
    first.start()
    wait_for(lambda: len(world.segments()) >= 1, timeout=30, what="node-a recording")
    second = recorder(world, sim.url, node="node-b")
    second.start()
    time.sleep(3)
    assert second.info.state is RecorderState.STOPPED
    assert {s.node for s in world.segments()} == {"node-a"}
    first.stop(reason="failover drill")
    count = len(world.segments())
    wait_for(lambda: len(world.segments()) >= count + 1, timeout=30, what="node-b taking over")
    second.stop()
    nodes = [s.node for s in world.segments()]
    assert nodes[0] == "node-a"
    assert nodes[-1] == "node-b"
    assert world.violations() == []


def test_sessions_type_is_usable(world: RecordingWorld) -> None:
    with world.sessions() as session:
        assert isinstance(session, Session)
