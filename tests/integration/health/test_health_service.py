"""Health services on both backends: uptime from a constructed timeline, roll-ups equal
to per-camera answers, diagnosis with its evidence and automatic baseline, outage and
overdue tickets with their findings and ledger entries, ticket work scoped by unit."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from psvis.auth.policy import Role
from psvis.auth.service import principal_for
from psvis.compliance.models import Finding
from psvis.core.config import Settings
from psvis.core.errors import Forbidden, NotFound
from psvis.core.timeutil import CHINA_TZ, utcnow
from psvis.health import liveness, rules, tickets
from psvis.health.chore import run_cycle
from psvis.health.enums import BaselineSource, LivenessState, TicketCause, TicketState
from psvis.health.models import CameraHealth, HealthBaseline, HealthDiagnosis, Ticket
from psvis.ledger import entries
from psvis.ledger.models import LedgerEntry
from psvis.recording.enums import OutageCause, SegmentState
from psvis.recording.models import Segment
from psvis.recording.storage import Root
from psvis.registry.models import Camera
from tests.support.factories import Registry
from tests.support.media import outage, record, storage_root

_seq = itertools.count(1)


def health_acts(db: Session) -> list[dict[str, object]]:
    rows = db.scalars(
        select(LedgerEntry.entry).where(LedgerEntry.type == "health").order_by(LedgerEntry.id)
    )
    return [entries.decode(r) for r in rows]


def fake_segment(
    db: Session, root: Root, camera_id: int, start: dt.datetime, end: dt.datetime
) -> None:
    """An index row only: the timeline reads rows, not files."""
    n = next(_seq)
    db.add(
        Segment(
            camera_id=camera_id,
            seq=n,
            storage_id=root.id,
            rel_path=f"{camera_id}/fake-{n}.ts",
            start_at=start,
            end_at=end,
            media_duration_ms=int((end - start).total_seconds() * 1000),
            size_bytes=1,
            sha256="0" * 64,
            keyframes=1,
            state=SegmentState.SEALED,
        )
    )


def china(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=CHINA_TZ).astimezone(
        dt.UTC
    )


DAY = dt.date(2026, 11, 20)


def constructed_day(db: Session, root: Root, camera_id: int) -> dt.datetime:
    """02:00-05:00 recorded (three one-hour segments), 05:00-06:00 an outage, 06:00-11:00
    recorded, 11:00-11:30 nothing (a gap), 11:30-11:59 recorded; now 12:00 (China): the
    last minute is the segment being written."""
    for hour in (2, 3, 4):
        fake_segment(db, root, camera_id, china(DAY, hour), china(DAY, hour + 1))
    outage(db, camera_id, start=china(DAY, 5), end=china(DAY, 6))
    fake_segment(db, root, camera_id, china(DAY, 6), china(DAY, 11))
    fake_segment(db, root, camera_id, china(DAY, 11, 30), china(DAY, 11, 59))
    db.commit()
    return china(DAY, 12)


def test_uptime_of_a_constructed_day_equals_the_hand_computed_value(
    db: Session, registry: Registry, settings: Settings
) -> None:
    _u, _s, _y, camera = registry.covered_site()
    root = storage_root(db, settings.data_dir)
    now = constructed_day(db, root, camera.id)
    up = liveness.camera_uptime(db, camera_id=camera.id, day=DAY, now=now)
    # window [02:00, 12:00) = 10 h; recorded 3 h + 5 h + 29 min + the pending minute.
    assert up.window_ms == 10 * 3600 * 1000
    assert up.recorded_ms == (8 * 3600 + 30 * 60) * 1000
    assert up.outage_ms == 3600 * 1000
    assert up.percent == pytest.approx(85.0)
    # Before the recording period began there is no window at all.
    assert (
        liveness.camera_uptime(
            db, camera_id=camera.id, day=DAY - dt.timedelta(days=1), now=now
        ).percent
        is None
    )


def test_rollups_equal_the_per_camera_answers(
    db: Session, registry: Registry, settings: Settings
) -> None:
    _unit_a, _site_a, system_a, cam_a = registry.covered_site(jurisdiction="360102")
    cam_a2 = registry.camera(system=system_a)
    _ub, _sb, system_b, cam_b = registry.covered_site(jurisdiction="360103")
    disabled = registry.camera(system=system_b, enabled=False)
    db.commit()
    root = storage_root(db, settings.data_dir)
    now = constructed_day(db, root, cam_a.id)
    fake_segment(db, root, cam_a2.id, china(DAY, 10), china(DAY, 11, 30))
    fake_segment(db, root, cam_b.id, china(DAY, 0), china(DAY, 9))
    db.commit()
    cams = [cam_a.id, cam_a2.id, cam_b.id, disabled.id]
    liveness.refresh_uptime(db, camera_ids=cams, day=DAY, now=now)
    db.commit()
    thresholds = liveness.Thresholds.of(settings)
    mine = Camera.id.in_(cams)
    states = {
        s.camera_id: s
        for s in liveness.camera_states(db, visible=mine, thresholds=thresholds, now=now)
    }
    # The newest segment of cam_a ended 60 s ago: within the watchdog (2 × 60 s + 10 s).
    assert states[cam_a.id].state is LivenessState.RECORDING
    assert states[cam_a2.id].state is LivenessState.OFFLINE
    assert states[cam_b.id].state is LivenessState.OFFLINE
    assert states[disabled.id].state is LivenessState.DISABLED
    per_camera = {c: liveness.camera_uptime(db, camera_id=c, day=DAY, now=now) for c in cams}
    for by, key_of in (
        ("system", lambda c: states[c].system_id),
        ("unit", lambda c: states[c].user_unit_id),
        ("jurisdiction", lambda c: states[c].jurisdiction_code),
        ("all", lambda c: "all"),
    ):
        groups = liveness.rollup(db, visible=mine, by=by, thresholds=thresholds, day=DAY, now=now)
        assert {g.key for g in groups} == {key_of(c) for c in cams}
        for group in groups:
            members = [c for c in cams if key_of(c) == group.key]
            assert group.cameras == len(members)
            assert group.recorded_ms == sum(per_camera[c].recorded_ms for c in members)
            assert group.window_ms == sum(per_camera[c].window_ms for c in members)
            for state in LivenessState:
                assert group.states[state.value] == sum(states[c].state is state for c in members)


def test_first_good_diagnosis_captures_the_baseline_and_keeps_its_evidence(
    db: Session, registry: Registry, settings: Settings
) -> None:
    _u, _s, _y, camera = registry.covered_site()
    db.commit()
    root = storage_root(db, settings.data_dir)
    start = utcnow() - dt.timedelta(seconds=30)
    segments = record(db, root, camera.id, start=start, seconds=4, segment_seconds=2)
    summary = run_cycle(db, settings=settings, force=True)
    assert summary.diagnosed >= 1
    assert summary.failed == []
    row = db.scalar(select(HealthDiagnosis).where(HealthDiagnosis.camera_id == camera.id))
    assert row is not None
    assert row.good
    assert row.fault_classes == []
    assert row.segment_id == segments[-1].id  # the newest sealed segment, nothing else
    assert row.baseline_id is None  # compared with nothing: the camera had no baseline
    assert row.thumbnail_jpeg is not None
    assert row.thumbnail_jpeg[:2] == b"\xff\xd8"
    assert row.frame_count == min(settings.vqd_keyframes, segments[-1].keyframes)
    assert row.metrics["signal_loss_frames"] == 0.0
    health = db.get(CameraHealth, camera.id)
    assert health is not None
    assert health.baseline_id is not None
    baseline = db.get(HealthBaseline, health.baseline_id)
    assert baseline is not None
    assert baseline.source is BaselineSource.AUTO
    assert baseline.has_day
    acts = [a for a in health_acts(db) if a["camera"] == camera.id]
    assert [a["act"] for a in acts] == ["baseline.captured"]
    # Nothing new recorded: the next cycle diagnoses nothing (no extra stream pull either).
    again = run_cycle(db, settings=settings.model_copy(update={"vqd_cadence_seconds": 5}))
    assert (
        db.scalar(
            select(HealthDiagnosis.id).where(HealthDiagnosis.camera_id == camera.id).offset(1)
        )
        is None
    )
    assert camera.id not in again.failed


def test_an_outage_beyond_its_threshold_opens_a_ticket_to_the_maintainer(
    db: Session, registry: Registry, settings: Settings
) -> None:
    unit, site, _y, _c = registry.covered_site()
    contractor = registry.unit(name="维保公司")
    system = registry.system(site=site, unit=unit, maintainer_unit_id=contractor.id)
    camera = registry.camera(system=system)
    stopped = registry.camera(system=system)
    db.commit()
    now = utcnow()
    threshold = dt.timedelta(minutes=settings.ticket_outage_minutes)
    outage(db, camera.id, start=now - threshold, end=None)
    outage(db, stopped.id, start=now - 2 * threshold, end=None, cause=OutageCause.OPERATOR_STOP)
    early = tickets.check_outages(
        db, now=now - dt.timedelta(seconds=1), threshold=threshold, deadline=dt.timedelta(hours=24)
    )
    assert early == []
    opened = tickets.check_outages(
        db, now=now, threshold=threshold, deadline=dt.timedelta(hours=24)
    )
    assert [(t.camera_id, t.cause) for t in opened] == [(camera.id, TicketCause.OUTAGE)]
    ticket = opened[0]
    assert ticket.maintainer_unit_id == contractor.id  # Art. 16: routed to the maintainer
    assert ticket.due_at == now + dt.timedelta(hours=24)
    assert (
        tickets.check_outages(db, now=now, threshold=threshold, deadline=dt.timedelta(hours=24))
        == []
    )
    db.commit()
    assert [a["act"] for a in health_acts(db)] == ["ticket.opened"]


def test_a_ticket_past_its_deadline_is_a_finding(
    db: Session, registry: Registry, settings: Settings
) -> None:
    _u, _s, _y, camera = registry.covered_site()
    db.commit()
    t0 = utcnow() - dt.timedelta(days=2)
    ticket = tickets.open_ticket(
        db,
        camera_id=camera.id,
        cause=TicketCause.BLUR,
        fault_since=t0,
        now=t0,
        deadline=dt.timedelta(hours=24),
    )
    assert ticket is not None
    assert (
        tickets.check_overdue(db, now=t0 + dt.timedelta(hours=24) - dt.timedelta(microseconds=1))
        == []
    )
    assert tickets.check_overdue(db, now=t0 + dt.timedelta(hours=24)) == [ticket]
    db.commit()
    finding = db.scalar(
        select(Finding).where(
            Finding.rule == rules.RULE_REPAIR_OVERDUE, Finding.subject_id == camera.id
        )
    )
    assert finding is not None
    assert finding.status == "open"
    assert (finding.article, finding.penalty_article) == ("Art. 17(3)", "Art. 25(4)")
    assert finding.evidence["ticket_ids"] == [ticket.id]
    assert ticket.overdue
    assert tickets.check_overdue(db, now=t0 + dt.timedelta(hours=30)) == []  # filed once
    assert [a["act"] for a in health_acts(db)] == [
        "ticket.opened",
        "finding.opened",
        "ticket.overdue",
    ]


def test_the_maintainer_works_its_tickets_and_no_one_elses(
    db: Session, registry: Registry, settings: Settings
) -> None:
    unit, site, _y, _c = registry.covered_site()
    contractor = registry.unit(name="维保甲")
    other = registry.unit(name="维保乙")
    system = registry.system(site=site, unit=unit, maintainer_unit_id=contractor.id)
    camera = registry.camera(system=system)
    mine = registry.user(role=Role.MAINTAINER, units=(contractor.id,))
    stranger = registry.user(role=Role.MAINTAINER, units=(other.id,))
    operator = registry.user(role=Role.UNIT_OPERATOR, units=(unit.id,))
    db.commit()
    now = utcnow()
    ticket = tickets.open_ticket(
        db,
        camera_id=camera.id,
        cause=TicketCause.NOISE,
        fault_since=now,
        now=now,
        deadline=dt.timedelta(hours=24),
    )
    assert ticket is not None
    with pytest.raises(NotFound):
        tickets.acknowledge(db, principal=principal_for(db, user=stranger), ticket_id=ticket.id)
    with pytest.raises(Forbidden):  # the unit's operator sees it but does not work it
        tickets.acknowledge(db, principal=principal_for(db, user=operator), ticket_id=ticket.id)
    worker = principal_for(db, user=mine)
    tickets.acknowledge(db, principal=worker, ticket_id=ticket.id)
    tickets.report_repair(db, principal=worker, ticket_id=ticket.id, note="更换镜头")
    assert ticket.state is TicketState.REPAIR_REPORTED
    assert ticket.verified_at is None
    listed, total = tickets.list_tickets(db, principal=worker, live=True)
    assert total == 1
    assert listed == [ticket]
    assert tickets.list_tickets(db, principal=principal_for(db, user=stranger))[1] == 0
    db.commit()
    assert db.get(Ticket, ticket.id).state is TicketState.REPAIR_REPORTED  # type: ignore[union-attr]
