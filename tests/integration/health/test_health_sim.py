"""From camera to ticket: a simulated camera recorded by the real recorder, moved after
its baseline was captured → scene-shift ticket, Art. 20(1) finding and ledger entries;
put back → the next good diagnosis closes the ticket and resolves the finding."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from psvis.compliance.models import Finding
from psvis.core.config import Settings
from psvis.core.db import make_engine, make_session_factory
from psvis.health import rules
from psvis.health.chore import run_cycle
from psvis.health.enums import TicketCause, TicketState
from psvis.health.models import CameraHealth, HealthDiagnosis, Ticket
from psvis.ledger import entries
from psvis.ledger.models import LedgerEntry
from psvis.recording.recorder import CameraRecorder
from psvis.recording.sim import Fault, SimCamera
from psvis.recording.sources import source_for
from tests.support.factories import Registry
from tests.support.recording import RecordingWorld, camera_streaming_from, private_root, wait_for

SEGMENT_SECONDS = 2


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def backend() -> str:
    """SQLite only: the services under this path run on both backends in
    test_health_service.py; this test's cost is the real video (~25 s)."""
    return "sqlite"


@pytest.fixture
def sim() -> Iterator[SimCamera]:
    camera = SimCamera("SIM-H", free_port(), width=640, height=360, fps=25, gop=25)
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


def first_cycle(world: RecordingWorld, settings: Settings) -> None:
    wait_for(lambda: len(world.segments()) >= 2, timeout=30, what="two segments")
    with world.sessions() as session:
        run_cycle(session, settings=settings, force=True)


def next_cycle(world: RecordingWorld, settings: Settings) -> None:
    """A cycle on a segment that started after the present one: the new picture (a
    picture change restarts the simulator's encoder, the recorder reconnects)."""
    count = len(world.segments())
    wait_for(lambda: len(world.segments()) >= count + 2, timeout=40, what="two new segments")
    with world.sessions() as session:
        run_cycle(session, settings=settings, force=True)


def health_acts(session: Session, camera_id: int) -> list[str]:
    rows = session.scalars(
        select(LedgerEntry.entry).where(LedgerEntry.type == "health").order_by(LedgerEntry.id)
    )
    return [b["act"] for b in map(entries.decode, rows) if b.get("camera") == camera_id]


def test_a_moved_camera_gets_a_ticket_and_a_finding_and_a_repair_closes_them(
    world: RecordingWorld, sim: SimCamera, settings: Settings
) -> None:
    settings = settings.model_copy(update={"segment_seconds": SEGMENT_SECONDS})
    rec = CameraRecorder(
        camera_id=world.camera_id,
        source=source_for(sim.url),
        root=world.root,
        sessions=world.sessions,
        node="node-h",
        segment_seconds=SEGMENT_SECONDS,
        lease_seconds=10,
        backoff_max_s=1,
    )
    rec.start()
    try:
        first_cycle(world, settings)  # first good diagnosis: the baseline is captured
        with world.sessions() as session:
            health = session.get(CameraHealth, world.camera_id)
            assert health is not None
            assert health.baseline_id is not None

        sim.fault(Fault.MOVED)
        next_cycle(world, settings)
        next_cycle(world, settings)  # two diagnoses in a row: the threshold
        with world.sessions() as session:
            ticket = session.scalar(select(Ticket).where(Ticket.camera_id == world.camera_id))
            assert ticket is not None, session.scalars(
                select(HealthDiagnosis.fault_classes).where(
                    HealthDiagnosis.camera_id == world.camera_id
                )
            ).all()
            assert ticket.cause is TicketCause.SCENE_SHIFT
            assert ticket.state is TicketState.OPEN
            finding = session.scalar(
                select(Finding).where(
                    Finding.rule == rules.RULE_SCENE_SHIFT, Finding.subject_id == world.camera_id
                )
            )
            assert finding is not None
            assert finding.status == "open"
            assert (finding.article, finding.penalty_article) == ("Art. 20(1)", "Art. 26(1)")
            evidence = session.get(HealthDiagnosis, finding.evidence["diagnosis_id"])
            assert evidence is not None
            assert "scene_shift" in evidence.fault_classes
            assert evidence.baseline_id == health.baseline_id  # compared with this baseline
            acts = health_acts(session, world.camera_id)
            assert {
                "baseline.captured",
                "fault.diagnosed",
                "ticket.opened",
                "finding.opened",
            } <= set(acts)

        sim.fault(Fault.CLEAR)
        next_cycle(world, settings)
        with world.sessions() as session:
            closed = session.get(Ticket, ticket.id)
            assert closed is not None
            assert closed.state is TicketState.CLOSED
            verifier = session.get(HealthDiagnosis, closed.verifying_diagnosis_id)
            assert verifier is not None
            assert "scene_shift" not in verifier.fault_classes
            resolved = session.get(Finding, finding.id)
            assert resolved is not None
            assert resolved.status == "resolved"
            assert {"ticket.closed", "finding.resolved"} <= set(
                health_acts(session, world.camera_id)
            )
    finally:
        rec.stop()
