"""Health findings in the compliance register (subject ``camera``, unique on rule +
subject): filed, updated or resolved by the chore, each change also a ledger entry."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from psvis.compliance.models import Finding
from psvis.compliance.rules import Decision
from psvis.health import acts
from psvis.registry.models import Camera, System

SUBJECT = "camera"


def _row(session: Session, *, rule: str, camera_id: int) -> Finding | None:
    return session.scalar(
        select(Finding).where(
            Finding.rule == rule, Finding.subject_type == SUBJECT, Finding.subject_id == camera_id
        )
    )


def file(
    session: Session, *, camera_id: int, decision: Decision, now: dt.datetime
) -> tuple[Finding, bool]:
    """Open (or reopen, or refresh) the camera's finding for ``decision`` (a failing
    rule). Returns the row and whether it was newly opened or reopened. Flushes."""
    code, unit = session.execute(
        select(Camera.jurisdiction_code, System.user_unit_id)
        .join(System, Camera.system_id == System.id)
        .where(Camera.id == camera_id)
    ).one()
    values: dict[str, Any] = {
        "article": decision.article,
        "article_zh": decision.article_zh,
        "penalty_article": decision.penalty_article,
        "reason": decision.reason[:500],
        "evidence": decision.evidence,
        "jurisdiction_code": code,
        "unit_id": unit,
        "last_seen": now,
    }
    row = _row(session, rule=decision.rule, camera_id=camera_id)
    opened = row is None or row.status != "open"
    if row is None:
        row = Finding(
            rule=decision.rule,
            subject_type=SUBJECT,
            subject_id=camera_id,
            status="open",
            first_seen=now,
            **values,
        )
        session.add(row)
    else:
        for key, value in values.items():
            setattr(row, key, value)
        row.status, row.resolved_at = "open", None
    session.flush()
    if opened:
        acts.record(
            session,
            act="finding.opened",
            at=now,
            camera_id=camera_id,
            finding=row.id,
            rule=decision.rule,
            article=decision.article,
        )
    return row, opened


def resolve(session: Session, *, camera_id: int, rule: str, now: dt.datetime) -> Finding | None:
    """Resolve the camera's open finding of ``rule``, if any (the repair was verified)."""
    row = _row(session, rule=rule, camera_id=camera_id)
    if row is None or row.status != "open":
        return None
    row.status, row.resolved_at, row.last_seen = "resolved", now, now
    session.flush()
    acts.record(
        session, act="finding.resolved", at=now, camera_id=camera_id, finding=row.id, rule=rule
    )
    return row
