"""Fault tickets (Art. 16, 17(3)): opened when an outage or a quality fault lasts
beyond its threshold, routed to the system's maintainer unit, acknowledged and reported
repaired by the maintainer, and closed only by a diagnosis that no longer finds the
fault. A ticket still open at its deadline is overdue: a finding under Art. 17(3),
punished under Art. 25(4). Each step is a ``health`` ledger entry in the caller's
transaction (flushes, never commits).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from psvis.auth.policy import Action
from psvis.auth.principal import Principal
from psvis.core.errors import Conflict, Forbidden, NotFound
from psvis.core.timeutil import utcnow
from psvis.health import acts, findings, rules, scope
from psvis.health.enums import TicketCause, TicketState
from psvis.health.models import HealthDiagnosis, Ticket
from psvis.health.vqd import FaultClass
from psvis.health.vqd.diagnose import SCENE_SHIFT_UNDETERMINED
from psvis.recording.enums import OutageCause
from psvis.recording.models import Outage, Segment
from psvis.registry.models import Camera, System
from psvis.registry.service import page

LIVE = (TicketState.OPEN, TicketState.ACKNOWLEDGED, TicketState.REPAIR_REPORTED)
#: Outage causes that open no ticket: a stop on purpose, with its reason recorded, is
#: not a fault (it still counts as down time in the uptime).
JUSTIFIED = (OutageCause.OPERATOR_STOP,)


def live_tickets(session: Session, *, camera_id: int) -> list[Ticket]:
    return list(
        session.scalars(
            select(Ticket)
            .where(Ticket.camera_id == camera_id, Ticket.state.in_(LIVE))
            .order_by(Ticket.id)
        )
    )


def open_ticket(
    session: Session,
    *,
    camera_id: int,
    cause: TicketCause,
    fault_since: dt.datetime,
    now: dt.datetime,
    deadline: dt.timedelta,
    diagnosis_id: int | None = None,
    outage_id: int | None = None,
) -> Ticket | None:
    """Open a ticket for the camera's ``cause`` unless one is live (then None)."""
    if session.scalar(
        select(Ticket.id).where(
            Ticket.camera_id == camera_id, Ticket.cause == cause, Ticket.state.in_(LIVE)
        )
    ):
        return None
    code, system_id, user_unit, maintainer = session.execute(
        select(Camera.jurisdiction_code, System.id, System.user_unit_id, System.maintainer_unit_id)
        .join(System, Camera.system_id == System.id)
        .where(Camera.id == camera_id)
    ).one()
    unit, _why = rules.ticket_routing(maintainer_unit_id=maintainer, user_unit_id=user_unit)
    ticket = Ticket(
        camera_id=camera_id,
        system_id=system_id,
        jurisdiction_code=code,
        user_unit_id=user_unit,
        maintainer_unit_id=unit,
        cause=cause,
        state=TicketState.OPEN,
        fault_since=fault_since,
        opened_at=now,
        due_at=rules.repair_due(now, deadline),
        opening_diagnosis_id=diagnosis_id,
        outage_id=outage_id,
    )
    session.add(ticket)
    session.flush()
    acts.record(
        session,
        act="ticket.opened",
        at=now,
        camera_id=camera_id,
        ticket=ticket.id,
        cause=cause.value,
        maintainer_unit=unit,
        due=ticket.due_at,
        diagnosis=diagnosis_id,
        outage=outage_id,
    )
    return ticket


def _close(
    session: Session, ticket: Ticket, *, diagnosis: HealthDiagnosis, now: dt.datetime
) -> None:
    ticket.state = TicketState.CLOSED
    ticket.verified_at = now
    ticket.verifying_diagnosis_id = diagnosis.id
    session.flush()
    acts.record(
        session,
        act="ticket.closed",
        at=now,
        camera_id=ticket.camera_id,
        ticket=ticket.id,
        cause=ticket.cause.value,
        diagnosis=diagnosis.id,
        overdue=ticket.overdue,
    )


def after_diagnosis(
    session: Session,
    *,
    diagnosis: HealthDiagnosis,
    segment: Segment | None,
    streaks: dict[str, dict[str, object]],
    threshold: int,
    deadline: dt.timedelta,
    now: dt.datetime,
) -> tuple[list[Ticket], list[Ticket]]:
    """Open tickets for faults that have lasted ``threshold`` diagnoses (and file the
    scene-shift / occlusion findings), close those this diagnosis verifies. Returns
    (opened, closed)."""
    camera_id = diagnosis.camera_id
    classes = {FaultClass(c) for c in diagnosis.fault_classes}
    opened: list[Ticket] = []
    for value in sorted(diagnosis.fault_classes):
        fault = FaultClass(value)
        streak = streaks.get(value, {})
        owed = rules.fault_ticket(
            fault_class=fault, consecutive=int(str(streak.get("count", 0))), threshold=threshold
        )
        if owed.ok:
            continue
        since = dt.datetime.fromisoformat(str(streak.get("since", now.isoformat())))
        ticket = open_ticket(
            session,
            camera_id=camera_id,
            cause=TicketCause(value),
            fault_since=since,
            now=now,
            deadline=deadline,
            diagnosis_id=diagnosis.id,
        )
        if ticket is None:
            continue
        opened.append(ticket)
        finding = rules.fault_finding(
            fault,
            evidence={
                "diagnosis_id": diagnosis.id,
                "ticket_id": ticket.id,
                "segment_id": diagnosis.segment_id,
                "baseline_id": diagnosis.baseline_id,
                "fault_since": since.isoformat(),
                "metrics": {k: round(v, 4) for k, v in diagnosis.metrics.items()},
            },
        )
        if finding is not None:
            findings.file(session, camera_id=camera_id, decision=finding, now=now)

    outage_open = session.scalar(
        select(Outage.id).where(Outage.camera_id == camera_id, Outage.end_at.is_(None)).limit(1)
    )
    # A scene shift the diagnosis could not decide is not evidence the view is back.
    undetermined = (
        {FaultClass.SCENE_SHIFT}
        if diagnosis.metrics.get(SCENE_SHIFT_UNDETERMINED, 0.0) >= 1.0
        else set()
    )
    closed: list[Ticket] = []
    for ticket in live_tickets(session, camera_id=camera_id):
        if ticket in opened:
            continue
        verdict = rules.repair_verified(
            cause=ticket.cause,
            opened_at=ticket.opened_at,
            diagnosis_classes=classes,
            segment_start=segment.start_at if segment is not None else None,
            outage_open=outage_open is not None,
            undetermined=undetermined,
        )
        if not verdict.ok:
            continue
        _close(session, ticket, diagnosis=diagnosis, now=now)
        closed.append(ticket)
        for rule, cause in (
            (rules.RULE_SCENE_SHIFT, TicketCause.SCENE_SHIFT),
            (rules.RULE_OCCLUSION, TicketCause.OCCLUSION),
        ):
            if ticket.cause is cause:
                findings.resolve(session, camera_id=camera_id, rule=rule, now=now)
    if closed and not any(t.overdue for t in live_tickets(session, camera_id=camera_id)):
        findings.resolve(session, camera_id=camera_id, rule=rules.RULE_REPAIR_OVERDUE, now=now)
    return opened, closed


def check_outages(
    session: Session,
    *,
    now: dt.datetime,
    threshold: dt.timedelta,
    deadline: dt.timedelta,
    operating_camera_ids: Sequence[int] | None = None,
) -> list[Ticket]:
    """Open a ticket for each unjustified outage still going on after ``threshold``."""
    stmt = select(Outage).where(
        Outage.end_at.is_(None),
        Outage.start_at <= now - threshold,
        Outage.cause.not_in(JUSTIFIED),
    )
    if operating_camera_ids is not None:
        stmt = stmt.where(Outage.camera_id.in_(list(operating_camera_ids)))
    opened = []
    for outage in session.scalars(stmt.order_by(Outage.id)):
        owed = rules.outage_ticket(outage_start=outage.start_at, now=now, threshold=threshold)
        if owed.ok:
            continue
        ticket = open_ticket(
            session,
            camera_id=outage.camera_id,
            cause=TicketCause.OUTAGE,
            fault_since=outage.start_at,
            now=now,
            deadline=deadline,
            outage_id=outage.id,
        )
        if ticket is not None:
            opened.append(ticket)
    return opened


def check_overdue(session: Session, *, now: dt.datetime) -> list[Ticket]:
    """Mark live tickets past their deadline overdue and file the camera's Art. 17(3)
    finding (one per camera, listing its overdue tickets)."""
    due = list(
        session.scalars(
            select(Ticket)
            .where(Ticket.state.in_(LIVE), Ticket.overdue.is_(False), Ticket.due_at <= now)
            .order_by(Ticket.id)
        )
    )
    for ticket in due:
        decision = rules.repair_overdue(
            cause=ticket.cause, opened_at=ticket.opened_at, due_at=ticket.due_at, now=now
        )
        if decision.ok:
            continue
        ticket.overdue = True
        session.flush()
        overdue_ids = [t.id for t in live_tickets(session, camera_id=ticket.camera_id) if t.overdue]
        evidence = {**decision.evidence, "ticket_ids": overdue_ids, "ticket_id": ticket.id}
        findings.file(
            session,
            camera_id=ticket.camera_id,
            decision=dataclasses.replace(decision, evidence=evidence),
            now=now,
        )
        acts.record(
            session,
            act="ticket.overdue",
            at=now,
            camera_id=ticket.camera_id,
            ticket=ticket.id,
            cause=ticket.cause.value,
            due=ticket.due_at,
        )
    return due


# --- reading and working tickets (API, console) ---------------------------------------------


def get_ticket(
    session: Session, *, principal: Principal, ticket_id: int, action: Action = Action.READ
) -> Ticket:
    """404 outside read reach; 403 inside it but outside ``action``'s."""
    found = session.scalar(
        select(Ticket).where(Ticket.id == ticket_id, scope.tickets(principal, Action.READ))
    )
    if found is None:
        raise NotFound(f"ticket {ticket_id} not found")
    if action is not Action.READ and not session.scalar(
        select(Ticket.id).where(Ticket.id == ticket_id, scope.tickets(principal, action))
    ):
        raise Forbidden(f"you may not {action.value} ticket {ticket_id}")
    return found


def list_tickets(
    session: Session,
    *,
    principal: Principal,
    live: bool | None = None,
    overdue: bool | None = None,
    cause: TicketCause | None = None,
    camera_id: int | None = None,
    jurisdiction_code: str | None = None,
    maintainer_unit_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Ticket], int]:
    stmt = select(Ticket).where(scope.tickets(principal, Action.READ))
    if live is not None:
        stmt = stmt.where(Ticket.state.in_(LIVE) if live else Ticket.state == TicketState.CLOSED)
    if overdue is not None:
        stmt = stmt.where(Ticket.overdue.is_(overdue))
    if cause is not None:
        stmt = stmt.where(Ticket.cause == cause)
    if camera_id is not None:
        stmt = stmt.where(Ticket.camera_id == camera_id)
    if jurisdiction_code:
        stmt = stmt.where(Ticket.jurisdiction_code == jurisdiction_code)
    if maintainer_unit_id is not None:
        stmt = stmt.where(Ticket.maintainer_unit_id == maintainer_unit_id)
    return page(session, stmt.order_by(Ticket.id.desc()), limit=limit, offset=offset)


def acknowledge(
    session: Session, *, principal: Principal, ticket_id: int, now: dt.datetime | None = None
) -> Ticket:
    """The maintainer has seen the ticket (Art. 16)."""
    now = now or utcnow()
    ticket = get_ticket(session, principal=principal, ticket_id=ticket_id, action=Action.UPDATE)
    if ticket.state is not TicketState.OPEN:
        raise Conflict(f"ticket {ticket_id} is {ticket.state.value}, not open")
    ticket.state = TicketState.ACKNOWLEDGED
    ticket.acknowledged_at, ticket.acknowledged_by = now, principal.user_id
    session.flush()
    acts.record(
        session,
        act="ticket.acknowledged",
        at=now,
        camera_id=ticket.camera_id,
        ticket=ticket.id,
        by=principal.user_id,
    )
    return ticket


def report_repair(
    session: Session,
    *,
    principal: Principal,
    ticket_id: int,
    note: str,
    now: dt.datetime | None = None,
) -> Ticket:
    """The maintainer says the fault is repaired. The ticket stays live: only the next
    diagnosis that no longer finds the fault closes it (Art. 17(3))."""
    now = now or utcnow()
    ticket = get_ticket(session, principal=principal, ticket_id=ticket_id, action=Action.UPDATE)
    if ticket.state not in (TicketState.OPEN, TicketState.ACKNOWLEDGED):
        raise Conflict(f"ticket {ticket_id} is {ticket.state.value}: no repair to report")
    if ticket.acknowledged_at is None:  # reporting a repair acknowledges it too
        ticket.acknowledged_at, ticket.acknowledged_by = now, principal.user_id
    ticket.state = TicketState.REPAIR_REPORTED
    ticket.repair_reported_at, ticket.repair_reported_by = now, principal.user_id
    ticket.repair_note = note[:500]
    session.flush()
    acts.record(
        session,
        act="ticket.repair_reported",
        at=now,
        camera_id=ticket.camera_id,
        ticket=ticket.id,
        by=principal.user_id,
    )
    return ticket
