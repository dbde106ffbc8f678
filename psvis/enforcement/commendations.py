"""Commendations (Art. 22): the services.

A commendation names its source record, which the caller must be able to read (404
otherwise) and which must be the unit's (``commendation_unit_not_source``): a
suspicious-information report the unit made, a retrieval request whose cameras belong to
the unit's systems, or a case the unit was party to. One per unit and source (409).

    commend(db, principal=chief, data=CommendationCreate(unit_id=7, source_kind="custody_request",
            source_id=12, title="提供关键视频", reason="…"))
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, false, select, true
from sqlalchemy.orm import Session

from psvis.auth.policy import Action, Reach, Resource
from psvis.auth.principal import Principal
from psvis.core.errors import Conflict, Forbidden, NotFound
from psvis.core.timeutil import CHINA_TZ, utcnow
from psvis.custody import service as custody
from psvis.custody.models import RequestScope
from psvis.enforcement import acts, cases, duties
from psvis.enforcement.cases import refused
from psvis.enforcement.commendation_models import Commendation
from psvis.enforcement.commendation_rules import SourceKind, may_commend
from psvis.enforcement.commendation_schemas import CommendationCreate
from psvis.registry import service as registry
from psvis.registry.models import Camera, System
from psvis.registry.service import page


def source_units(
    session: Session, *, principal: Principal, kind: SourceKind, source_id: int
) -> set[int]:
    """The units the source record belongs to (404 when the caller cannot read it)."""
    if kind is SourceKind.SUSPICIOUS_REPORT:
        return {duties.get_report(session, principal=principal, report_id=source_id).unit_id}
    if kind is SourceKind.CASE:
        case = cases.get_case(session, principal=principal, case_id=source_id)
        return {case.unit_id} if case.unit_id is not None else set()
    request = custody.get_request(session, principal=principal, request_id=source_id)
    return set(
        session.scalars(
            select(System.user_unit_id)
            .join(Camera, Camera.system_id == System.id)
            .join(RequestScope, RequestScope.camera_id == Camera.id)
            .where(RequestScope.request_id == request.id)
            .distinct()
        )
    )


def commend(
    session: Session,
    *,
    principal: Principal,
    data: CommendationCreate,
    now: dt.datetime | None = None,
) -> Commendation:
    now = now or utcnow()
    today = now.astimezone(CHINA_TZ).date()
    unit = registry.get_unit(session, principal=principal, unit_id=data.unit_id)
    reach = principal.reach(Resource.COMMENDATION, Action.CREATE)
    if reach is not Reach.ALL and not principal.covers(unit.jurisdiction_code):
        raise Forbidden(f"you may not commend unit {unit.id}")
    units = source_units(
        session, principal=principal, kind=data.source_kind, source_id=data.source_id
    )
    awarded_on = data.awarded_on or today
    decision = may_commend(source_units=units, unit_id=unit.id, awarded_on=awarded_on, today=today)
    if not decision.ok:
        raise refused(decision)
    row = Commendation(
        unit_id=unit.id,
        jurisdiction_code=unit.jurisdiction_code,
        source_kind=data.source_kind,
        source_id=data.source_id,
        title=data.title,
        reason=data.reason,
        awarded_on=awarded_on,
        awarded_by=principal.user_id,
        recorded_at=now,
    )
    # One per unit and source; the unique constraint backs this check against a race (no
    # savepoint: on SQLite its release would commit the row apart from its ledger entry).
    if session.scalar(
        select(Commendation.id).where(
            Commendation.unit_id == unit.id,
            Commendation.source_kind == data.source_kind,
            Commendation.source_id == data.source_id,
        )
    ):
        raise Conflict(f"unit {unit.id} was already commended for this {data.source_kind.value}")
    session.add(row)
    session.flush()
    acts.log(
        session,
        acts.Act.COMMENDED,
        at=now,
        commendation=row.id,
        unit=unit.id,
        source=data.source_kind.value,
        source_id=data.source_id,
        awarded_on=awarded_on.isoformat(),
        reason_sha256=acts.digest({"title": data.title, "reason": data.reason}),
    )
    return row


def _visible(principal: Principal) -> ColumnElement[bool]:
    reach = principal.reach(Resource.COMMENDATION, Action.READ)
    if reach is Reach.ALL:
        return true()
    if reach is Reach.JURISDICTION:
        codes = principal.covered_codes
        return Commendation.jurisdiction_code.in_(codes) if codes else false()
    units = principal.unit_ids
    return Commendation.unit_id.in_(units) if units else false()


def get_commendation(
    session: Session, *, principal: Principal, commendation_id: int
) -> Commendation:
    found = session.scalar(
        select(Commendation).where(Commendation.id == commendation_id, _visible(principal))
    )
    if found is None:
        raise NotFound(f"commendation {commendation_id} not found")
    return found


def list_commendations(
    session: Session,
    *,
    principal: Principal,
    unit_id: int | None = None,
    source_kind: SourceKind | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Commendation], int]:
    stmt = select(Commendation).where(_visible(principal))
    if unit_id is not None:
        stmt = stmt.where(Commendation.unit_id == unit_id)
    if source_kind is not None:
        stmt = stmt.where(Commendation.source_kind == source_kind)
    return page(session, stmt.order_by(Commendation.id.desc()), limit=limit, offset=offset)
