"""A user unit's Art. 17 duties: rules and duty logs on file, trainings with expiry,
suspicious-information reports to the police and their acknowledgement.

Keyword-only; each act queues its ledger entry in the caller's transaction (Art. 27:
what units file and what the police acknowledge is on the record). Scoping: unit staff
reach their own units' records, the police their jurisdiction's (policy table,
``Resource.UNIT_DUTY`` and ``Resource.SUSPICIOUS_REPORT``); outside read reach a record
does not exist (404).

The footage a report names is never attached: the police retrieve it with a request
(Art. 18-19) — :func:`retrieval_hint` is the console's pre-filled request form.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TypeVar

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session

from psvis.auth.policy import Action, Reach, Resource
from psvis.auth.principal import Principal
from psvis.compliance.rules import Decision
from psvis.core.errors import Forbidden, NotFound
from psvis.core.timeutil import CHINA_TZ, utcnow
from psvis.enforcement import acts, duty_files, duty_rules
from psvis.enforcement.cases import refused
from psvis.enforcement.duty_models import DutyDocument, SuspiciousReport, TrainingRecord
from psvis.enforcement.duty_schemas import ReportCreate, TrainingCreate
from psvis.registry import service as registry
from psvis.registry.models import Camera, System, Unit
from psvis.registry.service import page

R = TypeVar("R", DutyDocument, TrainingRecord, SuspiciousReport)


def _where(
    principal: Principal,
    resource: Resource,
    action: Action,
    unit_col: InstrumentedAttribute[int],
    code_col: InstrumentedAttribute[str],
) -> ColumnElement[bool]:
    reach = principal.reach(resource, action)
    if reach is Reach.ALL:
        return true()
    if reach is Reach.JURISDICTION:
        return code_col.in_(principal.covered_codes) if principal.covered_codes else false()
    return unit_col.in_(principal.unit_ids) if principal.unit_ids else false()


def _unit_for(session: Session, *, principal: Principal, unit_id: int, resource: Resource) -> Unit:
    """The unit, visible to the caller (404) and within the act's reach (403)."""
    unit = registry.get_unit(session, principal=principal, unit_id=unit_id)
    reach = principal.reach(resource, Action.CREATE)
    allowed = (
        reach is Reach.ALL
        or (reach is Reach.JURISDICTION and principal.covers(unit.jurisdiction_code))
        or (reach is Reach.OWN_UNITS and unit.id in principal.unit_ids)
    )
    if not allowed:
        raise Forbidden(f"you may not file records for unit {unit_id}")
    return unit


def _check(decision: Decision) -> None:
    if not decision.ok:
        raise refused(decision)


# --- Art. 17(1): documents on file ---------------------------------------------------------


def add_document(
    session: Session,
    *,
    principal: Principal,
    unit_id: int,
    kind: duty_rules.DocumentKind,
    title: str,
    period_start: dt.date | None,
    period_end: dt.date | None,
    data: bytes,
    data_dir: Path,
    now: dt.datetime | None = None,
) -> DutyDocument:
    now = now or utcnow()
    unit = _unit_for(session, principal=principal, unit_id=unit_id, resource=Resource.UNIT_DUTY)
    _check(
        duty_rules.duty_log_period(
            kind, period_start, period_end, today=now.astimezone(CHINA_TZ).date()
        )
    )
    stored = duty_files.store(data_dir, data)
    row = DutyDocument(
        unit_id=unit.id,
        jurisdiction_code=unit.jurisdiction_code,
        kind=kind,
        title=title,
        period_start=period_start,
        period_end=period_end,
        sha256=stored.sha256,
        size_bytes=stored.size_bytes,
        media_type=stored.media_type,
        uploaded_by=principal.user_id,
        uploaded_at=now,
    )
    session.add(row)
    session.flush()
    acts.log(
        session,
        acts.Act.DUTY_DOCUMENT,
        at=now,
        document=row.id,
        unit=unit.id,
        kind=kind.value,
        sha256=stored.sha256,
        size=stored.size_bytes,
    )
    return row


# --- Art. 17(2): trainings -----------------------------------------------------------------


def add_training(
    session: Session, *, principal: Principal, data: TrainingCreate, now: dt.datetime | None = None
) -> TrainingRecord:
    now = now or utcnow()
    unit = _unit_for(
        session, principal=principal, unit_id=data.unit_id, resource=Resource.UNIT_DUTY
    )
    _check(
        duty_rules.training_record(
            data.trained_on, data.expires_on, today=now.astimezone(CHINA_TZ).date()
        )
    )
    row = TrainingRecord(
        unit_id=unit.id,
        jurisdiction_code=unit.jurisdiction_code,
        person_name=data.person_name,
        topic=data.topic,
        trained_on=data.trained_on,
        expires_on=data.expires_on,
        recorded_by=principal.user_id,
        recorded_at=now,
    )
    session.add(row)
    session.flush()
    acts.log(
        session,
        acts.Act.TRAINING_RECORDED,
        at=now,
        training=row.id,
        unit=unit.id,
        topic=data.topic.value,
        trained_on=data.trained_on.isoformat(),
        expires_on=data.expires_on.isoformat(),
        person_sha256=acts.digest({"person": data.person_name}),
    )
    return row


# --- Art. 17(5): suspicious-information reports -------------------------------------------


def report(
    session: Session,
    *,
    principal: Principal,
    unit_id: int,
    data: ReportCreate,
    now: dt.datetime | None = None,
) -> SuspiciousReport:
    """A unit reports suspicious information naming one of its own cameras' footage."""
    now = now or utcnow()
    unit = _unit_for(
        session, principal=principal, unit_id=unit_id, resource=Resource.SUSPICIOUS_REPORT
    )
    own = session.scalar(
        select(Camera.id)
        .join(System, System.id == Camera.system_id)
        .where(
            Camera.id == data.camera_id,
            or_(System.user_unit_id == unit.id, System.builder_unit_id == unit.id),
        )
    )
    _check(
        duty_rules.report_allowed(
            camera_is_own=own is not None, start=data.range_start, end=data.range_end, now=now
        )
    )
    row = SuspiciousReport(
        unit_id=unit.id,
        jurisdiction_code=unit.jurisdiction_code,
        kind=data.kind,
        summary=data.summary,
        camera_id=data.camera_id,
        range_start=data.range_start,
        range_end=data.range_end,
        reported_by=principal.user_id,
        reported_at=now,
    )
    session.add(row)
    session.flush()
    acts.log(
        session,
        acts.Act.REPORT_FILED,
        at=now,
        suspicious_report=row.id,
        unit=unit.id,
        kind=data.kind.value,
        camera=data.camera_id,
        start=data.range_start,
        end=data.range_end,
        summary_sha256=acts.digest({"summary": data.summary}),
    )
    return row


def acknowledge(
    session: Session,
    *,
    principal: Principal,
    report_id: int,
    note: str,
    now: dt.datetime | None = None,
) -> SuspiciousReport:
    """The police acknowledge a report (once)."""
    now = now or utcnow()
    row = get_report(session, principal=principal, report_id=report_id, action=Action.UPDATE)
    _check(duty_rules.acknowledge_allowed(acknowledged=row.acknowledged_at is not None))
    row.acknowledged_by, row.acknowledged_at, row.ack_note = principal.user_id, now, note
    session.flush()
    acts.log(
        session,
        acts.Act.REPORT_ACKNOWLEDGED,
        at=now,
        suspicious_report=row.id,
        by=principal.user_id,
        note_sha256=acts.digest({"note": note}),
    )
    return row


def retrieval_hint(row: SuspiciousReport) -> str:
    """The console's retrieval-request form with the named camera chosen (the range is
    shown on the report): the request still needs a chief's approval (Art. 18)."""
    return f"/custody/new?camera={row.camera_id}"


# --- reads ---------------------------------------------------------------------------------


def _get(
    session: Session,
    *,
    principal: Principal,
    model: type[R],
    resource: Resource,
    object_id: int,
    action: Action = Action.READ,
) -> R:
    def where(act: Action) -> ColumnElement[bool]:
        return _where(principal, resource, act, model.unit_id, model.jurisdiction_code)

    found = session.scalar(select(model).where(model.id == object_id, where(Action.READ)))
    if found is None:
        raise NotFound(f"{resource.value} {object_id} not found")
    if action is not Action.READ and not session.scalar(
        select(model.id).where(model.id == object_id, where(action))
    ):
        raise Forbidden(f"you may not {action.value} {resource.value} {object_id}")
    return found


def get_report(
    session: Session, *, principal: Principal, report_id: int, action: Action = Action.READ
) -> SuspiciousReport:
    return _get(
        session,
        principal=principal,
        model=SuspiciousReport,
        resource=Resource.SUSPICIOUS_REPORT,
        object_id=report_id,
        action=action,
    )


def get_document(session: Session, *, principal: Principal, document_id: int) -> DutyDocument:
    return _get(
        session,
        principal=principal,
        model=DutyDocument,
        resource=Resource.UNIT_DUTY,
        object_id=document_id,
    )


def list_documents(
    session: Session,
    *,
    principal: Principal,
    unit_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[DutyDocument], int]:
    stmt = select(DutyDocument).where(
        _where(
            principal,
            Resource.UNIT_DUTY,
            Action.READ,
            DutyDocument.unit_id,
            DutyDocument.jurisdiction_code,
        )
    )
    if unit_id is not None:
        stmt = stmt.where(DutyDocument.unit_id == unit_id)
    return page(session, stmt.order_by(DutyDocument.id.desc()), limit=limit, offset=offset)


def list_trainings(
    session: Session,
    *,
    principal: Principal,
    unit_id: int | None = None,
    expired_on: dt.date | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[TrainingRecord], int]:
    """Trainings, soonest expiry first; ``expired_on``: only those expired by that day."""
    stmt = select(TrainingRecord).where(
        _where(
            principal,
            Resource.UNIT_DUTY,
            Action.READ,
            TrainingRecord.unit_id,
            TrainingRecord.jurisdiction_code,
        )
    )
    if unit_id is not None:
        stmt = stmt.where(TrainingRecord.unit_id == unit_id)
    if expired_on is not None:
        stmt = stmt.where(TrainingRecord.expires_on < expired_on)
    stmt = stmt.order_by(TrainingRecord.expires_on, TrainingRecord.id)
    return page(session, stmt, limit=limit, offset=offset)


def list_reports(
    session: Session,
    *,
    principal: Principal,
    unit_id: int | None = None,
    acknowledged: bool | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[SuspiciousReport], int]:
    stmt = select(SuspiciousReport).where(
        _where(
            principal,
            Resource.SUSPICIOUS_REPORT,
            Action.READ,
            SuspiciousReport.unit_id,
            SuspiciousReport.jurisdiction_code,
        )
    )
    if unit_id is not None:
        stmt = stmt.where(SuspiciousReport.unit_id == unit_id)
    if acknowledged is not None:
        stmt = stmt.where(
            SuspiciousReport.acknowledged_at.is_not(None)
            if acknowledged
            else SuspiciousReport.acknowledged_at.is_(None)
        )
    return page(session, stmt.order_by(SuspiciousReport.id.desc()), limit=limit, offset=offset)
