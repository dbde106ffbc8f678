"""``psvis health baseline`` and ``psvis health check`` as real subprocesses."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from psvis.core.config import Settings
from psvis.core.timeutil import utcnow
from psvis.health.enums import BaselineSource
from psvis.health.models import CameraHealth, HealthBaseline
from tests.integration.cli.test_cli import psvis
from tests.support.factories import Registry
from tests.support.media import record, storage_root


def test_capture_a_baseline_then_run_a_cycle(
    db: Session, registry: Registry, settings: Settings
) -> None:
    _u, _s, _y, camera = registry.covered_site()
    _u2, _s2, _y2, silent = registry.covered_site()
    db.commit()
    refused = psvis(settings, "health", "baseline", str(silent.id))
    assert refused.returncode == 2
    assert "no recorded segment" in refused.stderr
    root = storage_root(db, settings.data_dir)
    record(db, root, camera.id, start=utcnow() - dt.timedelta(seconds=20), seconds=4)
    made = psvis(settings, "health", "baseline", str(camera.id))
    assert made.returncode == 0, made.stderr
    db.expire_all()
    row = db.scalar(select(HealthBaseline).where(HealthBaseline.camera_id == camera.id))
    assert row is not None
    assert row.source is BaselineSource.CAPTURE
    ran = psvis(settings, "health", "check", "--json")
    assert ran.returncode == 0, ran.stderr
    summary = json.loads(ran.stdout)
    assert summary["diagnosed"] >= 1
    assert summary["failed_cameras"] == []
    health = db.get(CameraHealth, camera.id)
    assert health is not None
    assert health.baseline_id == row.id  # the captured baseline stays: the picture was good
