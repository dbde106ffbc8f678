"""Recording from a real RTSP server (GStreamer's, from Debian packages), TCP and UDP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import pytest

from psvis.core.config import Settings
from psvis.core.db import make_engine, make_session_factory
from psvis.recording.enums import OutageCause, SegmentState
from psvis.recording.recorder import CameraRecorder
from psvis.recording.sources import RtspSource
from tests.support.factories import Registry
from tests.support.recording import RecordingWorld, camera_streaming_from, private_root, wait_for
from tests.support.rtsp_fixtures import rtsp_server  # noqa: F401 - fixture
from tests.support.rtsp_server import RtspServer


@pytest.fixture
def world(
    settings: Settings,
    registry: Registry,
    rtsp_server: RtspServer,  # noqa: F811 - the fixture
    tmp_path: Path,
) -> Iterator[RecordingWorld]:
    root = private_root(registry.session, tmp_path / "recordings")
    camera_id = camera_streaming_from(registry, rtsp_server.url)
    engine = make_engine(settings.resolved_database_url())
    try:
        yield RecordingWorld(root=root, camera_id=camera_id, sessions=make_session_factory(engine))
    finally:
        engine.dispose()


@pytest.mark.parametrize("transport", ["tcp", "udp"])
def test_records_rtsp(
    world: RecordingWorld,
    rtsp_server: RtspServer,  # noqa: F811 - the fixture
    transport: Literal["tcp", "udp"],
) -> None:
    rec = CameraRecorder(
        camera_id=world.camera_id,
        source=RtspSource(rtsp_server.url, transport=transport),
        root=world.root,
        sessions=world.sessions,
        node="node-rtsp",
        segment_seconds=2,
        lease_seconds=10,
        backoff_max_s=2,
    )
    rec.start()
    try:
        wait_for(lambda: len(world.segments()) >= 2, timeout=40, what="segments from RTSP")
    finally:
        rec.stop(reason="test finished")
    segments = world.segments()
    assert all(s.state is SegmentState.SEALED for s in segments[:2])
    assert segments[0].codec == "h264"
    assert (segments[0].width, segments[0].height) == (640, 360)
    assert [o.cause for o in world.outages()] == [OutageCause.OPERATOR_STOP]
    assert world.violations() == []
