"""The demo's live video: simulated cameras recorded continuously.

Six simulated cameras (``psvis.recording.sim``) serve H.264 on 127.0.0.1; six cameras of
the demo bank's accepted systems are pointed at them and recorded by an in-process
recorder service with short segments (near-live view in the console).
"""

from __future__ import annotations

import socket
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from psvis.core.config import Settings
from psvis.core.secrets import SecretBox
from psvis.demo.names import DEMO_UNIT
from psvis.recording.service import RecorderService
from psvis.recording.sim import Simulator
from psvis.registry.enums import LifecycleState
from psvis.registry.models import Camera, System, Unit

DEMO_CAMERAS = 6
#: Short segments make the near-live view (built from the newest segments) responsive.
DEMO_SEGMENT_SECONDS = 6
FIRST_PORT = 18554


@dataclass
class DemoVideo:
    simulator: Simulator
    service: RecorderService
    camera_ids: list[int]

    def stop(self) -> None:
        self.service.stop(reason="demo stopped")
        self.simulator.stop()


def _free_run(count: int, start: int = FIRST_PORT) -> int:
    """First port of ``count`` consecutive free ports on 127.0.0.1."""
    port = start
    while port + count < 65535:
        try:
            for offset in range(count):
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", port + offset))
            return port
        except OSError:
            port += count
    raise RuntimeError("no free ports for the simulated cameras")


def demo_cameras(session: Session, count: int = DEMO_CAMERAS) -> list[int]:
    """Cameras of the demo bank's accepted, operating systems (its staff can watch them)."""
    unit_id = session.scalar(select(Unit.id).where(Unit.name == DEMO_UNIT))
    stmt = (
        select(Camera.id)
        .join(System, Camera.system_id == System.id)
        .where(
            System.state == LifecycleState.ACCEPTED,
            System.in_operation.is_(True),
            Camera.enabled.is_(True),
        )
        .order_by(System.user_unit_id != unit_id, Camera.id)
        .limit(count)
    )
    return list(session.scalars(stmt))


def start_demo_video(
    settings: Settings, *, sessions: sessionmaker[Session], box: SecretBox
) -> DemoVideo:
    simulator = Simulator(DEMO_CAMERAS, _free_run(DEMO_CAMERAS), width=640, height=360)
    simulator.start()
    with sessions() as session:
        camera_ids = demo_cameras(session)
        for camera_id, url in zip(camera_ids, simulator.urls, strict=False):
            session.execute(update(Camera).where(Camera.id == camera_id).values(stream_url=url))
        session.commit()
    service = RecorderService(
        settings=settings.model_copy(update={"segment_seconds": DEMO_SEGMENT_SECONDS}),
        sessions=sessions,
        box=box,
        only=frozenset(camera_ids),
    )
    service.start()
    return DemoVideo(simulator=simulator, service=service, camera_ids=camera_ids)
