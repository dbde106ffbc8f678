"""Findings: recompute idempotently, list with scoping."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import insert, or_, select, update
from sqlalchemy.orm import Session

from psvis.auth import scope
from psvis.auth.policy import Action, Resource
from psvis.auth.principal import Principal
from psvis.compliance.engine import Violation, evaluate
from psvis.compliance.models import Finding
from psvis.compliance.rules import FINDING_RULES
from psvis.core.timeutil import utcnow
from psvis.registry.service import page, scoped_get


@dataclass(frozen=True, slots=True)
class CheckSummary:
    opened: int
    reopened: int
    still_open: int
    resolved: int
    open_total: int


def _values(v: Violation) -> dict[str, object]:
    d = v.decision
    return {
        "article": d.article,
        "article_zh": d.article_zh,
        "penalty_article": d.penalty_article,
        "reason": d.reason[:500],
        "evidence": d.evidence,
        "jurisdiction_code": v.jurisdiction_code,
        "unit_id": v.unit_id,
    }


def run_check(session: Session) -> CheckSummary:
    """Recompute the registry rules' findings. Running it twice changes nothing but
    ``last_seen``: new violations open, vanished ones resolve, returning ones reopen."""
    now = utcnow()
    current = {v.key: v for v in evaluate(session)}
    existing = {
        (f.rule, f.subject_type, f.subject_id): f
        for f in session.execute(
            select(
                Finding.id,
                Finding.rule,
                Finding.subject_type,
                Finding.subject_id,
                Finding.status,
                Finding.evidence,
                Finding.reason,
            ).where(Finding.rule.in_(FINDING_RULES))
        )
    }
    inserts, updates = [], []
    opened = reopened = still_open = resolved = 0
    for key, violation in current.items():
        row = existing.get(key)
        values = _values(violation)
        if row is None:
            opened += 1
            inserts.append(
                {
                    **values,
                    "rule": key[0],
                    "subject_type": key[1],
                    "subject_id": key[2],
                    "status": "open",
                    "first_seen": now,
                    "last_seen": now,
                }
            )
        elif row.status == "resolved":
            reopened += 1
            updates.append({**values, "id": row.id, "status": "open", "resolved_at": None})
        else:
            still_open += 1
            if row.evidence != values["evidence"] or row.reason != values["reason"]:
                updates.append({**values, "id": row.id})
    to_resolve = [
        row.id for key, row in existing.items() if row.status == "open" and key not in current
    ]
    resolved = len(to_resolve)
    if inserts:
        session.execute(insert(Finding), inserts)
    if updates:
        session.execute(update(Finding), updates)
    for start in range(0, len(to_resolve), 500):
        session.execute(
            update(Finding)
            .where(Finding.id.in_(to_resolve[start : start + 500]))
            .values(status="resolved", resolved_at=now)
        )
    session.execute(
        update(Finding)
        .where(Finding.status == "open", Finding.rule.in_(FINDING_RULES))
        .values(last_seen=now)
    )
    session.flush()
    return CheckSummary(
        opened=opened,
        reopened=reopened,
        still_open=still_open,
        resolved=resolved,
        open_total=len(current),
    )


def list_findings(
    session: Session,
    *,
    principal: Principal,
    status: str | None = None,
    rule: str | None = None,
    article: str | None = None,
    jurisdiction_code: str | None = None,
    subject_type: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Finding], int]:
    stmt = select(Finding).where(scope.where(principal, Resource.FINDING, Action.READ))
    if status:
        stmt = stmt.where(Finding.status == status)
    if rule:
        stmt = stmt.where(Finding.rule == rule)
    if article:
        # "Art. 8" matches Art. 8 and Art. 8(4), never Art. 80.
        stmt = stmt.where(
            or_(
                Finding.article == article,
                Finding.article.startswith(f"{article}(", autoescape=True),
            )
        )
    if jurisdiction_code:
        stmt = stmt.where(Finding.jurisdiction_code == jurisdiction_code)
    if subject_type:
        stmt = stmt.where(Finding.subject_type == subject_type)
    return page(session, stmt.order_by(Finding.id), limit=limit, offset=offset)


def get_finding(session: Session, *, principal: Principal, finding_id: int) -> Finding:
    return scoped_get(
        session, principal=principal, model=Finding, resource=Resource.FINDING, object_id=finding_id
    )


def all_findings(session: Session, *, status: str | None = None) -> list[Finding]:
    """Every finding, unscoped: for the CLI run by the operator of the installation."""
    stmt = select(Finding).order_by(Finding.id)
    if status:
        stmt = stmt.where(Finding.status == status)
    return list(session.scalars(stmt))
