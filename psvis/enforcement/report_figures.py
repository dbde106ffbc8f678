"""The monthly report's figures: a handful of grouped reads over the month's window.

Each figure is one statement over the jurisdiction's subtree (``codes``) and the
half-open window ``[start, end)``. The report is a read-only aggregate across domains
(registry, compliance, health, custody, enforcement); no domain has a "count in a
month" service, so the aggregates read their tables here, each next to the definition
it mirrors (the uptime sum is health's roll-up: Σ recorded ÷ Σ window of the stored
``health_uptime_day`` rows, docs/design/health.md).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection

from sqlalchemy import ColumnElement, SQLColumnExpression, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from psvis.compliance.models import Finding
from psvis.core.timeutil import CHINA_TZ
from psvis.custody.models import Approval, Registration, RequestScope, RetrievalRequest
from psvis.enforcement import report_rules, rules
from psvis.enforcement.enums import Basis
from psvis.enforcement.models import CorrectionOrder, EnforcementCase, PenaltyDecision
from psvis.enforcement.report_schemas import (
    BasisRow,
    CategoryRow,
    CustodyRow,
    FaultRow,
    ReportFigures,
    TicketRow,
    UptimeRow,
)
from psvis.health.enums import TicketCause
from psvis.health.models import HealthDiagnosis, Ticket, UptimeDay
from psvis.registry.enums import MANDATORY_CATEGORIES
from psvis.registry.models import Camera, Jurisdiction, Site

#: The compliance rule of Art. 8 (psvis/compliance/rules.py::mandatory_site_covered).
ART8_RULE = "art8_mandatory_site_uncovered"


def _in(
    column: SQLColumnExpression[dt.datetime], start: dt.datetime, end: dt.datetime
) -> ColumnElement[bool]:
    return and_(column >= start, column < end)


def compliance(session: Session, *, codes: Collection[str], end: dt.datetime) -> list[CategoryRow]:
    """Per Art. 8 category: sites registered before ``end``, and of them those whose
    Art. 8 finding was open at ``end`` (seen before it, not resolved before it)."""
    sites: dict[str, int] = defaultdict(int)
    for category, count in session.execute(
        select(Site.category, func.count())
        .where(Site.jurisdiction_code.in_(codes), Site.created_at < end)
        .group_by(Site.category)
    ):
        sites[str(category)] = count
    uncovered: dict[str, int] = defaultdict(int)
    open_at_end = and_(
        Finding.rule == ART8_RULE,
        Finding.subject_type == "site",
        Finding.first_seen < end,
        or_(Finding.resolved_at.is_(None), Finding.resolved_at >= end),
    )
    for category, count in session.execute(
        select(Site.category, func.count(func.distinct(Site.id)))
        .join(Finding, and_(Finding.subject_id == Site.id, open_at_end))
        .where(Site.jurisdiction_code.in_(codes), Site.created_at < end)
        .group_by(Site.category)
    ):
        uncovered[str(category)] = count
    return [
        CategoryRow(
            category=c.value,
            article=f"Art. 8({c.value.removeprefix('art8_')})",
            sites=sites[c.value],
            uncovered=uncovered[c.value],
        )
        for c in MANDATORY_CATEGORIES
    ]


def uptime(
    session: Session, *, codes: Collection[str], month: dt.date, last_day: dt.date
) -> UptimeRow:
    """Σ of the cameras' stored daily uptime over the month's China days up to
    ``last_day`` (the day rows are China civil days, as health stores them)."""
    recorded, window, outage, cameras = session.execute(
        select(
            func.coalesce(func.sum(UptimeDay.recorded_ms), 0),
            func.coalesce(func.sum(UptimeDay.window_ms), 0),
            func.coalesce(func.sum(UptimeDay.outage_ms), 0),
            func.count(func.distinct(UptimeDay.camera_id)),
        )
        .join(Camera, Camera.id == UptimeDay.camera_id)
        .where(
            Camera.jurisdiction_code.in_(codes),
            UptimeDay.day >= month,
            UptimeDay.day <= last_day,
        )
    ).one()
    return UptimeRow(
        available=cameras > 0,
        cameras=cameras,
        recorded_ms=int(recorded),
        window_ms=int(window),
        outage_ms=int(outage),
        percent=None if window <= 0 else round(100.0 * int(recorded) / int(window), 2),
    )


def faults(
    session: Session, *, codes: Collection[str], start: dt.datetime, end: dt.datetime
) -> list[FaultRow]:
    """Per ticket cause: tickets opened in the window, and cameras diagnosed with the
    fault class in it (a diagnosis lists its classes as JSON: counted here, not in SQL,
    so both backends read it the same way)."""
    opened: dict[str, int] = defaultdict(int)
    for cause, count in session.execute(
        select(Ticket.cause, func.count())
        .where(Ticket.jurisdiction_code.in_(codes), _in(Ticket.opened_at, start, end))
        .group_by(Ticket.cause)
    ):
        opened[str(cause)] = count
    diagnosed: dict[str, set[int]] = defaultdict(set)
    for camera_id, classes in session.execute(
        select(HealthDiagnosis.camera_id, HealthDiagnosis.fault_classes)
        .join(Camera, Camera.id == HealthDiagnosis.camera_id)
        .where(
            Camera.jurisdiction_code.in_(codes),
            HealthDiagnosis.good.is_(False),
            _in(HealthDiagnosis.diagnosed_at, start, end),
        )
    ):
        for name in classes or ():
            diagnosed[str(name)].add(camera_id)
    return [
        FaultRow(
            cause=cause.value,
            tickets_opened=opened[cause.value],
            cameras_diagnosed=len(diagnosed[cause.value]),
        )
        for cause in TicketCause
    ]


def custody(
    session: Session, *, codes: Collection[str], start: dt.datetime, end: dt.datetime
) -> CustodyRow:
    """Requests with a camera of the jurisdiction in scope; their decisions in the window."""
    touches = exists().where(
        RequestScope.request_id == RetrievalRequest.id,
        RequestScope.jurisdiction_code.in_(codes),
    )
    requests = session.scalar(
        select(func.count())
        .select_from(RetrievalRequest)
        .where(touches, _in(RetrievalRequest.created_at, start, end))
    )
    decided: dict[bool, int] = {True: 0, False: 0}
    for approved, count in session.execute(
        select(Approval.approved, func.count())
        .join(RetrievalRequest, RetrievalRequest.id == Approval.request_id)
        .where(touches, _in(Approval.decided_at, start, end))
        .group_by(Approval.approved)
    ):
        decided[bool(approved)] = count
    registrations = session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(Registration.jurisdiction_code.in_(codes), _in(Registration.opened_at, start, end))
    )
    return CustodyRow(
        requests=requests or 0,
        approved=decided[True],
        rejected=decided[False],
        registrations=registrations or 0,
    )


def cases(
    session: Session, *, codes: Collection[str], start: dt.datetime, end: dt.datetime
) -> list[BasisRow]:
    """Per provision: cases opened, orders issued, decisions and their fines, each
    counted by its own instant in the window."""
    in_scope = EnforcementCase.jurisdiction_code.in_(codes)
    opened: dict[Basis, int] = {
        basis: count
        for basis, count in session.execute(
            select(EnforcementCase.basis, func.count())
            .where(in_scope, _in(EnforcementCase.opened_at, start, end))
            .group_by(EnforcementCase.basis)
        )
    }
    orders: dict[Basis, int] = {
        basis: count
        for basis, count in session.execute(
            select(EnforcementCase.basis, func.count())
            .join(CorrectionOrder, CorrectionOrder.case_id == EnforcementCase.id)
            .where(in_scope, _in(CorrectionOrder.issued_at, start, end))
            .group_by(EnforcementCase.basis)
        )
    }
    decisions: dict[Basis, tuple[int, int]] = {}
    for basis, count, fines in session.execute(
        select(
            EnforcementCase.basis,
            func.count(),
            func.coalesce(
                func.sum(PenaltyDecision.fine_yuan + PenaltyDecision.manager_fine_yuan), 0
            ),
        )
        .join(PenaltyDecision, PenaltyDecision.case_id == EnforcementCase.id)
        .where(in_scope, _in(PenaltyDecision.decided_at, start, end))
        .group_by(EnforcementCase.basis)
    ):
        decisions[basis] = (count, int(fines))
    return [
        BasisRow(
            basis=basis.value,
            article=rules.provision(basis).article,
            opened=opened.get(basis, 0),
            orders=orders.get(basis, 0),
            decisions=decisions.get(basis, (0, 0))[0],
            fines_yuan=decisions.get(basis, (0, 0))[1],
        )
        for basis in Basis
    ]


def tickets(
    session: Session, *, codes: Collection[str], start: dt.datetime, end: dt.datetime
) -> TicketRow:
    """Overdue tickets (Art. 17(3)): deadline passed in the window; and overdue ones not
    verified repaired at ``end``. A ticket is overdue once ``now ≥ due_at`` while live
    (health's rule); ``overdue`` is what the chore wrote down."""
    in_scope = and_(Ticket.jurisdiction_code.in_(codes), Ticket.overdue.is_(True))
    in_month = session.scalar(
        select(func.count()).select_from(Ticket).where(in_scope, _in(Ticket.due_at, start, end))
    )
    at_end = session.scalar(
        select(func.count())
        .select_from(Ticket)
        .where(
            in_scope,
            Ticket.due_at < end,
            or_(Ticket.verified_at.is_(None), Ticket.verified_at >= end),
        )
    )
    return TicketRow(overdue_in_month=in_month or 0, overdue_at_end=at_end or 0)


def collect(
    session: Session,
    *,
    jurisdiction: Jurisdiction,
    codes: Collection[str],
    month: dt.date,
    now: dt.datetime,
) -> ReportFigures:
    """Every figure of ``jurisdiction``'s ``month`` (its subtree ``codes``), as of ``now``:
    a month not yet over ends at ``now``."""
    start, month_end = report_rules.month_window(month)
    end = min(month_end, now)
    complete = end == month_end
    # The China day of the last instant in the window: uptime rows are per China day.
    last_day = (end - dt.timedelta(microseconds=1)).astimezone(CHINA_TZ).date()
    return ReportFigures(
        jurisdiction_code=jurisdiction.code,
        jurisdiction_name=jurisdiction.name,
        month=report_rules.month_label(month),
        start=start,
        end=end,
        complete=complete,
        generated_at=now,
        compliance=compliance(session, codes=codes, end=end),
        uptime=uptime(session, codes=codes, month=month, last_day=last_day),
        faults=faults(session, codes=codes, start=start, end=end),
        custody=custody(session, codes=codes, start=start, end=end),
        cases=cases(session, codes=codes, start=start, end=end),
        tickets=tickets(session, codes=codes, start=start, end=end),
    )
