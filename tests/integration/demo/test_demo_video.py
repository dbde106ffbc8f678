"""The demo's live video: simulated cameras attached to accepted systems, recorded."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from psvis.core.config import Settings
from psvis.core.db import make_engine, make_session_factory
from psvis.demo.video import DEMO_CAMERAS, start_demo_video
from psvis.recording.enums import OutageCause
from psvis.recording.models import Outage, Segment, StorageRoot
from psvis.recording.storage import create_root
from tests.support.factories import Registry
from tests.support.recording import wait_for


@pytest.mark.slow
def test_demo_records_its_simulated_cameras(
    settings: Settings, registry: Registry, tmp_path: Path
) -> None:
    registry.session.execute(update(StorageRoot).values(enabled=False))
    create_root(registry.session, name="demo", path=tmp_path / "rec", reserve_bytes=0)
    for _ in range(DEMO_CAMERAS + 2):
        registry.covered_site()
    registry.session.commit()
    engine = make_engine(settings.resolved_database_url())
    sessions = make_session_factory(engine)

    def recorded_cameras() -> int:
        with sessions() as session:
            return session.scalar(select(func.count(func.distinct(Segment.camera_id)))) or 0

    video = start_demo_video(settings, sessions=sessions, box=registry.box)
    try:
        assert len(video.camera_ids) == DEMO_CAMERAS
        wait_for(lambda: recorded_cameras() == DEMO_CAMERAS, timeout=60, what="all recording")
    finally:
        video.stop()
    with sessions() as session:
        stops = session.scalars(select(Outage).where(Outage.cause == OutageCause.OPERATOR_STOP))
        assert sorted(o.camera_id for o in stops) == sorted(video.camera_ids)
    engine.dispose()
