"""Sharing grants (Art. 14): government systems networked with the police platform.

The city police network government-funded or leased systems for cross-department
sharing (Art. 14). Police use such a system's cameras live within their jurisdiction
without a retrieval request; any other police use of a unit's system — "接入、直接使用"
— needs a chief's approval (Art. 18): an open execution session whose request approves
``direct_access`` for the camera. The footage gate asks :func:`networked_for`.

A grant names the system, the bureau it is shared with and the agreement it rests on;
granting and revoking are ledger entries (custody acts ``sharing.granted`` /
``sharing.revoked``). Revoked grants stay as rows.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from psvis.auth.policy import Action, Resource
from psvis.auth.principal import Principal
from psvis.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from psvis.core.timeutil import utcnow
from psvis.custody import acts, rules
from psvis.custody.acts import Act
from psvis.custody.models import SharingGrant
from psvis.registry import systems
from psvis.registry.models import Jurisdiction, System


def _ancestors(session: Session, code: str | None) -> set[str]:
    """``code`` and every jurisdiction above it."""
    parents: dict[str, str | None] = {
        code: parent
        for code, parent in session.execute(select(Jurisdiction.code, Jurisdiction.parent_code))
    }
    found: set[str] = set()
    while code is not None and code not in found:
        found.add(code)
        code = parents.get(code)
    return found


def officer_bureaus(session: Session, principal: Principal) -> frozenset[str]:
    """The bureaus whose grants reach this officer: their subtree and its ancestors."""
    return frozenset(principal.covered_codes | _ancestors(session, principal.jurisdiction_code))


def networked_for(session: Session, *, principal: Principal, system_id: int) -> bool:
    """Whether police ``principal`` uses ``system_id`` live under an active grant."""
    if not principal.role.is_police:
        return False
    bureaus = session.scalars(
        select(SharingGrant.bureau_code).where(
            SharingGrant.system_id == system_id, SharingGrant.revoked_at.is_(None)
        )
    ).all()
    if not bureaus:
        return False
    return rules.networked_for(
        grant_bureaus=bureaus, officer_bureaus=officer_bureaus(session, principal)
    )


def _managed_system(session: Session, *, principal: Principal, system_id: int) -> System:
    system = systems.get_system(session, principal=principal, system_id=system_id)
    principal.reach(Resource.SHARING_GRANT, Action.UPDATE)  # 403 for any other role
    if not principal.covers(system.jurisdiction_code):
        raise Forbidden(f"system {system_id} is outside your jurisdiction")
    return system


def grant(
    session: Session,
    *,
    principal: Principal,
    system_id: int,
    bureau_code: str,
    agreement: str,
    now: dt.datetime | None = None,
) -> SharingGrant:
    """Network ``system_id`` for the police of ``bureau_code`` (Art. 14)."""
    moment = now or utcnow()
    system = _managed_system(session, principal=principal, system_id=system_id)
    if session.get(Jurisdiction, bureau_code) is None:
        raise InvalidInput(f"no jurisdiction {bureau_code!r}")
    decision = rules.may_network(
        investment=system.investment.value,
        agreement=agreement,
        bureau_code=bureau_code,
        system_bureaus=_ancestors(session, system.jurisdiction_code),
    )
    if not decision.ok:
        raise Conflict(
            f"{decision.reason} ({decision.article} / {decision.article_zh})",
            details={"article": decision.article, "rule": decision.rule, **decision.evidence},
        )
    active = session.scalar(
        select(SharingGrant.id).where(
            SharingGrant.system_id == system_id,
            SharingGrant.bureau_code == bureau_code,
            SharingGrant.revoked_at.is_(None),
        )
    )
    if active is not None:
        raise Conflict(
            f"system {system_id} is already networked for {bureau_code} (grant {active})"
        )
    row = SharingGrant(
        system_id=system_id,
        bureau_code=bureau_code,
        agreement=agreement.strip(),
        granted_by=principal.user_id or None,
        granted_at=moment,
    )
    session.add(row)
    session.flush()
    acts.log(
        session,
        Act.SHARING_GRANTED,
        at=moment,
        grant=row.id,
        system=system_id,
        bureau=bureau_code,
        actor=principal.user_id,
        agreement=acts.digest({"agreement": row.agreement}),
    )
    return row


def revoke(
    session: Session, *, principal: Principal, grant_id: int, now: dt.datetime | None = None
) -> SharingGrant:
    """End a grant: from now on police use of the system needs a request again."""
    moment = now or utcnow()
    row = session.get(SharingGrant, grant_id)
    if row is None:
        raise NotFound(f"sharing grant {grant_id} not found")
    try:
        _managed_system(session, principal=principal, system_id=row.system_id)
    except NotFound as exc:  # a grant of a system out of reach does not exist either
        raise NotFound(f"sharing grant {grant_id} not found") from exc
    if row.revoked_at is not None:
        raise Conflict(f"sharing grant {grant_id} was revoked already")
    row.revoked_at, row.revoked_by = moment, principal.user_id or None
    session.flush()
    acts.log(
        session,
        Act.SHARING_REVOKED,
        at=moment,
        grant=row.id,
        system=row.system_id,
        bureau=row.bureau_code,
        actor=principal.user_id,
    )
    return row


def grants_of(
    session: Session, *, principal: Principal, system_id: int, include_revoked: bool = False
) -> list[SharingGrant]:
    """The grants of a system the principal may read (404 outside reach)."""
    systems.get_system(session, principal=principal, system_id=system_id)
    principal.reach(Resource.SHARING_GRANT, Action.READ)
    query = select(SharingGrant).where(SharingGrant.system_id == system_id)
    if not include_revoked:
        query = query.where(SharingGrant.revoked_at.is_(None))
    return list(session.scalars(query.order_by(SharingGrant.id)))
