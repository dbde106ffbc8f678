"""The recorder service of one node: recovery first, then one recorder per camera.

Recordable cameras (Art. 13: only a system that passed acceptance — or a filed pre-2016
system — is "in use"): enabled, with a stream URL, in a system that is in operation and
accepted (or removal notified), or legacy and filed. The camera list is re-read
periodically, so cameras added, disabled or removed in the registry start and stop.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, sessionmaker

from psvis.compliance.constants import IN_FORCE_DATE
from psvis.core.config import Settings
from psvis.core.errors import PsvisError
from psvis.core.secrets import SecretBox
from psvis.core.timeutil import utcnow
from psvis.ledger.service import LedgerKeeper
from psvis.recording.capacity import forecast
from psvis.recording.recorder import CameraRecorder
from psvis.recording.recovery import RecoveryReport, recover
from psvis.recording.retention import sweep
from psvis.recording.sources import source_for
from psvis.recording.storage import Root, usable_roots
from psvis.registry.enums import LifecycleState
from psvis.registry.models import Camera, System

log = logging.getLogger("psvis.recording.service")

SYNC_SECONDS = 15.0
#: Retention sweep and capacity forecast cadence.
HOUSEKEEPING_SECONDS = 600.0


@dataclass(frozen=True, slots=True)
class CameraSpec:
    camera_id: int
    stream_url: str
    username: str
    password_encrypted: str


def recordable_cameras(session: Session) -> list[CameraSpec]:
    """Cameras this platform records now (see the module docstring)."""
    accepted = System.state.in_((LifecycleState.ACCEPTED, LifecycleState.REMOVAL_NOTIFIED))
    legacy_filed = and_(
        System.commissioned_on < IN_FORCE_DATE,
        System.filing_date.is_not(None),
        System.state != LifecycleState.REMOVED,
    )
    rows = session.execute(
        select(Camera.id, Camera.stream_url, Camera.username, Camera.password_encrypted)
        .join(System, Camera.system_id == System.id)
        .where(
            Camera.enabled.is_(True),
            Camera.stream_url != "",
            System.in_operation.is_(True),
            or_(accepted, legacy_filed),
        )
        .order_by(Camera.id)
    )
    return [CameraSpec(r.id, r.stream_url, r.username, r.password_encrypted) for r in rows]


class RecorderService:
    """Start with :meth:`start`, stop with :meth:`stop`. One per node."""

    def __init__(
        self,
        *,
        settings: Settings,
        sessions: sessionmaker[Session],
        box: SecretBox,
        only: frozenset[int] | None = None,
    ) -> None:
        """``only``: record just these cameras (the demo records its simulated ones)."""
        self.settings = settings
        self.only = only
        self.sessions = sessions
        self.box = box
        self.node = settings.node_name
        self.recorders: dict[int, CameraRecorder] = {}
        self.recovery: RecoveryReport | None = None
        self._roots: list[Root] = []
        self._stop = threading.Event()
        self._sync_thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.keeper: LedgerKeeper | None = None

    def start(self) -> RecoveryReport:
        """Check storage identities, run the recovery pass, start the ledger keeper and
        the recorders."""
        with self.sessions() as session:
            self._roots = usable_roots(session)  # raises StorageRefused for a swapped disk
            if not self._roots:
                raise PsvisError("no storage root: run `psvis init` or `psvis storage add`")
            cameras = recordable_cameras(session)
            self.recovery = recover(
                session,
                roots=self._roots,
                camera_ids=[c.camera_id for c in cameras],
                node=self.node,
            )
        log.info(
            "recovery: %d recovered, %d quarantined, %d outages opened",
            len(self.recovery.recovered),
            len(self.recovery.quarantined),
            len(self.recovery.outages_opened),
        )
        self.keeper = LedgerKeeper(
            sessions=self.sessions,
            data_dir=self.settings.data_dir,
            node_name=self.node,
            interval=self.settings.checkpoint_seconds,
        )
        self.keeper.start()
        self.sync()
        self._sync_thread = threading.Thread(
            target=self._sync_loop, name="recorder-sync", daemon=True
        )
        self._sync_thread.start()
        return self.recovery

    def sync(self) -> None:
        """Start recorders for new cameras, stop those no longer recordable."""
        with self.sessions() as session:
            wanted = {c.camera_id: c for c in self._wanted(session)}
        with self._lock:
            for camera_id in sorted(set(self.recorders) - set(wanted)):
                self.recorders.pop(camera_id).stop(reason="camera no longer recordable")
            for camera_id, spec in wanted.items():
                if camera_id in self.recorders or self._stop.is_set():
                    continue
                try:
                    password = (
                        self.box.decrypt(spec.password_encrypted) if spec.password_encrypted else ""
                    )
                    source = source_for(spec.stream_url, username=spec.username, password=password)
                except PsvisError as exc:
                    log.error("camera %s cannot be recorded: %s", camera_id, exc.message)
                    continue
                recorder = CameraRecorder(
                    camera_id=camera_id,
                    source=source,
                    root=self._root_for(camera_id),
                    sessions=self.sessions,
                    node=self.node,
                    segment_seconds=self.settings.segment_seconds,
                    lease_seconds=self.settings.lease_seconds,
                )
                self.recorders[camera_id] = recorder
                recorder.start()

    def _wanted(self, session: Session) -> list[CameraSpec]:
        cameras = recordable_cameras(session)
        if self.only is None:
            return cameras
        return [c for c in cameras if c.camera_id in self.only]

    def _root_for(self, camera_id: int) -> Root:
        # Spread cameras over roots by id; stable across restarts while roots don't change.
        return self._roots[camera_id % len(self._roots)]

    def _sync_loop(self) -> None:
        next_housekeeping = 0.0
        while not self._stop.wait(SYNC_SECONDS):
            try:
                self.sync()
            except Exception:
                log.exception("recorder sync failed")
            if time.monotonic() >= next_housekeeping:
                next_housekeeping = time.monotonic() + HOUSEKEEPING_SECONDS
                self.housekeeping()

    def housekeeping(self) -> None:
        """Retention sweep (S7, S8) and capacity forecast for this node's roots."""
        roots = {root.id: root for root in self._roots}
        try:
            with self.sessions() as session:
                report = sweep(session, roots=roots, now=utcnow())
                forecast(session, roots=roots, now=utcnow())
                session.commit()
            if report.expired:
                log.info("retention: expired %d segments", len(report.expired))
        except Exception:
            log.exception("retention/capacity housekeeping failed")

    def stop(self, *, reason: str = "service stopped by operator") -> None:
        self._stop.set()
        with self._lock:
            recorders = list(self.recorders.values())
            self.recorders.clear()
        threads = [threading.Thread(target=r.stop, kwargs={"reason": reason}) for r in recorders]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        if self.keeper is not None:
            self.keeper.stop()  # the stops' outages and last segments get into the log
