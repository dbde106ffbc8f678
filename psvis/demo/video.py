"""The demo's live video: simulated cameras recorded continuously.

Six simulated cameras (``psvis.recording.sim``) serve H.264 on 127.0.0.1; four cameras of
the demo bank's accepted systems and two of networked government systems in its district
(Art. 14) are pointed at them and recorded by an in-process
recorder service with short segments (near-live view in the console).
"""

from __future__ import annotations

import logging
import socket
import threading
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from psvis.core.config import Settings
from psvis.core.secrets import SecretBox
from psvis.custody.models import SharingGrant
from psvis.demo.names import DEMO_MAINTAINER, DEMO_UNIT
from psvis.health.models import CameraHealth
from psvis.recording.service import RecorderService
from psvis.recording.sim import Fault, Simulator
from psvis.registry.enums import LifecycleState
from psvis.registry.models import Camera, System, Unit

DEMO_CAMERAS = 6
#: Short segments make the near-live view (built from the newest segments) responsive.
DEMO_SEGMENT_SECONDS = 6
FIRST_PORT = 18554
#: The demo's health chore diagnoses this often, so a fault shows within a minute or two.
DEMO_VQD_CADENCE_SECONDS = 15
#: The fault the demo injects into one simulated camera once its baseline is captured:
#: the dashboard then shows a scene-shift ticket and an Art. 20(1) finding.
DEMO_FAULT = Fault.MOVED

log = logging.getLogger(__name__)


@dataclass
class DemoVideo:
    simulator: Simulator
    service: RecorderService
    camera_ids: list[int]
    _stop: threading.Event = field(default_factory=threading.Event)

    def stop(self) -> None:
        self._stop.set()
        self.service.stop(reason="demo stopped")
        self.simulator.stop()

    def fault_after_baseline(
        self, sessions: sessionmaker[Session], *, fault: Fault = DEMO_FAULT, timeout_s: float = 600
    ) -> int | None:
        """In the background: once the health chore has captured the baseline of one demo
        camera (the demo maintainer's, if any), inject ``fault`` into its simulator.
        Returns the camera id (None: no camera)."""
        if not self.camera_ids:
            return None
        with sessions() as session:
            maintained = session.scalars(
                select(Camera.id)
                .join(System, Camera.system_id == System.id)
                .join(Unit, Unit.id == System.maintainer_unit_id)
                .where(Camera.id.in_(self.camera_ids), Unit.name == DEMO_MAINTAINER)
            ).first()
            camera_id = maintained or self.camera_ids[0]
            contractor = session.scalar(select(Unit.id).where(Unit.name == DEMO_MAINTAINER))
            if maintained is None and contractor is not None:
                # Demo data: the demo contractor maintains the faulty camera's system, so
                # the maintainer login sees its ticket (Art. 16).
                system_id = session.scalar(select(Camera.system_id).where(Camera.id == camera_id))
                session.execute(
                    update(System)
                    .where(System.id == system_id)
                    .values(maintainer_unit_id=contractor)
                )
                session.commit()
        index = self.camera_ids.index(camera_id)

        def wait_then_fault() -> None:
            waited = 0.0
            while not self._stop.wait(2.0) and waited < timeout_s:
                waited += 2.0
                with sessions() as session:
                    health = session.get(CameraHealth, camera_id)
                    if health is None or health.baseline_id is None:
                        continue
                try:
                    self.simulator.fault(index, fault)
                    log.info("demo: camera %s given fault %s", camera_id, fault.value)
                except Exception:  # the demo goes on without its fault
                    log.exception("demo: could not inject %s", fault.value)
                return

        threading.Thread(target=wait_then_fault, name="demo-fault", daemon=True).start()
        return camera_id


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


#: Of the demo cameras, how many are on government systems networked for the police
#: (Art. 14: police watch them live without a request); the rest are the bank's, whose
#: live video police use only as direct use through an approved request (Art. 18).
NETWORKED_DEMO_CAMERAS = 2


def demo_cameras(session: Session, count: int = DEMO_CAMERAS) -> list[int]:
    """Cameras of the demo bank's accepted, operating systems (its staff can watch them)
    and ``NETWORKED_DEMO_CAMERAS`` of networked government systems in the bank's
    district (that district's police watch them live)."""
    unit = session.scalar(select(Unit).where(Unit.name == DEMO_UNIT))
    operating = (
        select(Camera.id)
        .join(System, Camera.system_id == System.id)
        .where(
            System.state == LifecycleState.ACCEPTED,
            System.in_operation.is_(True),
            Camera.enabled.is_(True),
        )
    )
    networked: list[int] = []
    if unit is not None:
        active = select(SharingGrant.system_id).where(SharingGrant.revoked_at.is_(None))
        networked = list(
            session.scalars(
                operating.where(
                    System.id.in_(active), Camera.jurisdiction_code == unit.jurisdiction_code
                )
                .order_by(Camera.id)
                .limit(min(NETWORKED_DEMO_CAMERAS, count))
            )
        )
    unit_id = unit.id if unit is not None else None
    rest = session.scalars(
        operating.where(Camera.id.not_in(networked))
        .order_by(System.user_unit_id != unit_id, Camera.id)
        .limit(count - len(networked))
    )
    return [*rest, *networked]


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
