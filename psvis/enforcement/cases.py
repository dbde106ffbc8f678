"""Enforcement cases (Art. 23-26): opening, the correction order, the re-check, the
penalty decision, closing — each checked by :mod:`psvis.enforcement.rules` and put on
the ledger in the caller's transaction (the caller commits).

Keyword-only. Who may is the policy table (``Resource.ENFORCEMENT_CASE``: police of the
case's jurisdiction; the decision is the chief's); what the law allows is the rules:
a failed rule is :class:`~psvis.core.errors.Refused` naming its article.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, false, select, true
from sqlalchemy.orm import Session

from psvis.auth.policy import Action, Reach, Resource
from psvis.auth.principal import Principal
from psvis.compliance import service as compliance
from psvis.compliance.models import Finding
from psvis.compliance.rules import Decision
from psvis.core.errors import Conflict, Forbidden, InvalidInput, NotFound, Refused
from psvis.core.timeutil import CHINA_TZ, utcnow
from psvis.custody.fonts import FontFace
from psvis.enforcement import acts, issuing, rules
from psvis.enforcement.acts import Act
from psvis.enforcement.enums import Basis, CaseState, Procedure, Step
from psvis.enforcement.models import (
    CorrectionOrder,
    EnforcementCase,
    EnforcementDocument,
    PenaltyDecision,
    Recheck,
)
from psvis.enforcement.schemas import CaseCreate, DecisionCreate, OrderCreate, RecheckCreate
from psvis.registry import service as registry
from psvis.registry.models import Unit


def refused(decision: Decision) -> Refused:
    return Refused(
        decision.reason,
        article=decision.article,
        article_zh=decision.article_zh,
        rule=decision.rule,
        details=decision.evidence,
    )


def china_day(moment: dt.datetime) -> dt.date:
    """The China civil date of ``moment``: deadlines are counted in it."""
    return moment.astimezone(CHINA_TZ).date()


# --- visibility ---------------------------------------------------------------------------


def visible(principal: Principal, action: Action = Action.READ) -> ColumnElement[bool]:
    """Cases the principal reaches for ``action``: police by the case's jurisdiction, a
    unit's admin the cases against its own units."""
    reach = principal.reach(Resource.ENFORCEMENT_CASE, action)
    if reach is Reach.ALL:
        return true()
    if reach is Reach.JURISDICTION:
        codes = principal.covered_codes
        return EnforcementCase.jurisdiction_code.in_(codes) if codes else false()
    if reach is Reach.OWN_UNITS and principal.unit_ids:
        return EnforcementCase.unit_id.in_(principal.unit_ids)
    return false()


def get_case(
    db: Session, *, principal: Principal, case_id: int, action: Action = Action.READ
) -> EnforcementCase:
    """404 outside read reach; 403 inside it but outside ``action``'s."""
    found = db.scalar(
        select(EnforcementCase).where(EnforcementCase.id == case_id, visible(principal))
    )
    if found is None:
        raise NotFound(f"enforcement case {case_id} not found")
    if action is not Action.READ:
        allowed = db.scalar(
            select(EnforcementCase.id).where(
                EnforcementCase.id == case_id, visible(principal, action)
            )
        )
        if allowed is None:
            raise Forbidden(f"you may not {action.value} enforcement case {case_id}")
    return found


def list_cases(
    db: Session,
    *,
    principal: Principal,
    state: CaseState | None = None,
    basis: Basis | None = None,
    jurisdiction_code: str | None = None,
    unit_id: int | None = None,
    finding_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[EnforcementCase], int]:
    """The cases the principal may read, newest first."""
    stmt = select(EnforcementCase).where(visible(principal))
    if state is not None:
        stmt = stmt.where(EnforcementCase.state == state)
    if basis is not None:
        stmt = stmt.where(EnforcementCase.basis == basis)
    if jurisdiction_code:
        stmt = stmt.where(EnforcementCase.jurisdiction_code == jurisdiction_code)
    if unit_id is not None:
        stmt = stmt.where(EnforcementCase.unit_id == unit_id)
    if finding_id is not None:
        stmt = stmt.where(EnforcementCase.finding_id == finding_id)
    return registry.page(db, stmt.order_by(EnforcementCase.id.desc()), limit=limit, offset=offset)


# --- the parts of a case ---------------------------------------------------------------------


def order_of(db: Session, *, case_id: int) -> CorrectionOrder | None:
    return db.scalar(select(CorrectionOrder).where(CorrectionOrder.case_id == case_id))


def rechecks_of(db: Session, *, case_id: int) -> list[Recheck]:
    return list(db.scalars(select(Recheck).where(Recheck.case_id == case_id).order_by(Recheck.id)))


def decision_of(db: Session, *, case_id: int) -> PenaltyDecision | None:
    return db.scalar(select(PenaltyDecision).where(PenaltyDecision.case_id == case_id))


def documents_of(db: Session, *, case_id: int) -> list[EnforcementDocument]:
    return list(
        db.scalars(
            select(EnforcementDocument)
            .where(EnforcementDocument.case_id == case_id)
            .order_by(EnforcementDocument.id)
        )
    )


def facts_of(db: Session, case: EnforcementCase) -> rules.CaseFacts:
    """The rules' view of a case, from its rows."""
    order = order_of(db, case_id=case.id)
    failed = [r.checked_on for r in rechecks_of(db, case_id=case.id) if not r.corrected]
    return rules.CaseFacts(
        basis=case.basis,
        state=case.state,
        other_law=case.other_law,
        ordered_on=order.issued_on if order else None,
        deadline=order.deadline if order else None,
        failed_recheck_on=max(failed) if failed else None,
        manager_name=case.manager_name,
    )


def next_steps(
    db: Session, *, case: EnforcementCase, now: dt.datetime | None = None
) -> dict[Step, Decision]:
    return rules.next_steps(facts_of(db, case), today=china_day(now or utcnow()))


# --- opening -----------------------------------------------------------------------------------


def _finding_facts(finding: Finding) -> dict[str, Any]:
    return {
        "id": finding.id,
        "rule": finding.rule,
        "article": finding.article,
        "article_zh": finding.article_zh,
        "penalty_article": finding.penalty_article,
        "subject_type": finding.subject_type,
        "subject_id": finding.subject_id,
        "reason": finding.reason,
        "evidence": finding.evidence,
        "first_seen": finding.first_seen.isoformat(),
    }


def text_digest(case: EnforcementCase) -> str:
    """The case's text facts, hashed for the ledger."""
    return acts.digest(
        {
            "number": case.number,
            "party_name": case.party_name,
            "manager_name": case.manager_name,
            "facts": case.facts,
            "other_law": case.other_law,
        }
    )


def open_case(
    db: Session, *, principal: Principal, data: CaseCreate, now: dt.datetime | None = None
) -> EnforcementCase:
    """Open a case from a finding or for a unit / named party (police of the place)."""
    principal.reach(Resource.ENFORCEMENT_CASE, Action.CREATE)
    moment = now or utcnow()
    finding = (
        compliance.get_finding(db, principal=principal, finding_id=data.finding_id)
        if data.finding_id is not None
        else None
    )
    unit_id = data.unit_id if data.unit_id is not None else (finding.unit_id if finding else None)
    unit: Unit | None = None
    if unit_id is not None:
        unit = registry.get_unit(db, principal=principal, unit_id=unit_id)
    if finding is not None and unit is not None and finding.unit_id not in (None, unit.id):
        raise InvalidInput("the unit is not the finding's unit")
    code = (
        finding.jurisdiction_code
        if finding is not None
        else (unit.jurisdiction_code if unit is not None else data.jurisdiction_code)
    )
    if code is None:
        raise InvalidInput("name a finding, a unit or the jurisdiction of the case")
    registry.require_jurisdiction(db, code)
    if not principal.covers(code):
        raise NotFound(f"jurisdiction {code} is outside yours")
    basis = data.basis
    if basis is None and finding is not None:
        basis = rules.BY_ARTICLE.get(finding.penalty_article)
    if basis is None:
        raise InvalidInput(
            "name the provision (basis): the finding points to no penalty article of Art. 24-26"
        )
    decision = rules.may_open(basis=basis, other_law=data.other_law)
    if not decision.ok:
        raise refused(decision)
    party = data.party_name.strip() or (unit.name if unit is not None else "")
    if not party:
        raise InvalidInput("name the party (party_name) when the case has no unit")
    if finding is not None:
        pending = db.scalar(
            select(EnforcementCase.number).where(
                EnforcementCase.finding_id == finding.id,
                EnforcementCase.state != CaseState.CLOSED,
            )
        )
        if pending is not None:
            raise Conflict(f"finding {finding.id} already has case {pending} under way")
    bureau = issuing.bureau_of(db, code)
    case = EnforcementCase(
        bureau_code=bureau.code,
        year=moment.astimezone(CHINA_TZ).year,
        jurisdiction_code=code,
        basis=basis,
        other_law=data.other_law.strip(),
        finding_id=finding.id if finding else None,
        unit_id=unit.id if unit else None,
        party_name=party,
        manager_name=data.manager_name.strip(),
        facts=data.facts.strip(),
        evidence={"finding": _finding_facts(finding)} if finding is not None else {},
        state=CaseState.OPEN,
        opened_by=principal.user_id,
        opened_at=moment,
    )

    def number(row: Any) -> None:
        row.serial = issuing.next_serial(
            db,
            EnforcementCase.serial,
            EnforcementCase.bureau_code == bureau.code,
            EnforcementCase.year == row.year,
        )
        row.number = f"{bureau.code}-{row.year}-{row.serial:06d}"

    issuing.insert_numbered(db, case, number)
    acts.log(
        db,
        Act.CASE_OPENED,
        at=moment,
        case=case.id,
        number=case.number,
        by=principal.user_id,
        basis=str(case.basis),
        article=rules.provision(case.basis).article,
        jurisdiction=code,
        unit=case.unit_id,
        finding=case.finding_id,
        facts_sha256=text_digest(case),
    )
    return case


# --- order, re-check, decision, close -----------------------------------------------------------


def _check(decision: Decision) -> None:
    if not decision.ok:
        raise refused(decision)


def issue_order(
    db: Session,
    *,
    principal: Principal,
    case_id: int,
    data: OrderCreate,
    now: dt.datetime | None = None,
    fonts: Sequence[FontFace] | None = None,
) -> CorrectionOrder:
    """责令限期改正 (Art. 24, 25; Art. 23 under the other law): the order and its
    document, numbered by the case's bureau."""
    moment = now or utcnow()
    case = get_case(db, principal=principal, case_id=case_id, action=Action.UPDATE)
    today = china_day(moment)
    _check(rules.may_order(facts_of(db, case), deadline=data.deadline, today=today))
    order = CorrectionOrder(
        case_id=case.id,
        issued_by=principal.user_id,
        issued_at=moment,
        issued_on=today,
        deadline=data.deadline,
        requirement=data.requirement.strip(),
    )
    db.add(order)
    case.state = CaseState.ORDERED
    db.flush()
    document = issuing.issue_order_document(
        db, case=case, order=order, principal=principal, now=moment, fonts=fonts
    )
    acts.log(
        db,
        Act.ORDER_ISSUED,
        at=moment,
        case=case.id,
        number=case.number,
        by=principal.user_id,
        issued_on=today.isoformat(),
        deadline=data.deadline.isoformat() if data.deadline else None,
        document=document.number,
        document_sha256=document.sha256,
    )
    return order


def record_recheck(
    db: Session,
    *,
    principal: Principal,
    case_id: int,
    data: RecheckCreate,
    now: dt.datetime | None = None,
) -> Recheck:
    """复查: corrected closes the procedure without a fine; not corrected (only after the
    deadline) opens the way to the fine."""
    moment = now or utcnow()
    case = get_case(db, principal=principal, case_id=case_id, action=Action.UPDATE)
    today = china_day(moment)
    checked_on = data.checked_on or today
    _check(
        rules.may_recheck(
            facts_of(db, case), checked_on=checked_on, corrected=data.corrected, today=today
        )
    )
    row = Recheck(
        case_id=case.id,
        checked_by=principal.user_id,
        checked_on=checked_on,
        recorded_at=moment,
        corrected=data.corrected,
        notes=data.notes.strip(),
    )
    db.add(row)
    case.state = CaseState.CORRECTED if data.corrected else CaseState.NOT_CORRECTED
    db.flush()
    acts.log(
        db,
        Act.RECHECK_RECORDED,
        at=moment,
        case=case.id,
        number=case.number,
        by=principal.user_id,
        recheck=row.id,
        checked_on=checked_on.isoformat(),
        corrected=data.corrected,
        notes_sha256=acts.digest({"notes": row.notes}),
    )
    return row


def decide(
    db: Session,
    *,
    principal: Principal,
    case_id: int,
    data: DecisionCreate,
    now: dt.datetime | None = None,
    fonts: Sequence[FontFace] | None = None,
) -> PenaltyDecision:
    """行政处罚决定 by the chief: within the provision's caps, after the procedure the
    provision requires (Art. 24/25: a failed re-check after the deadline; Art. 26: at
    once, with the order to correct; Art. 23: the other law's)."""
    moment = now or utcnow()
    case = get_case(db, principal=principal, case_id=case_id, action=Action.APPROVE)
    today = china_day(moment)
    _check(
        rules.may_decide(
            facts_of(db, case),
            fine_yuan=data.fine_yuan,
            manager_fine_yuan=data.manager_fine_yuan,
            refer_public_order=data.refer_public_order,
            refer_criminal=data.refer_criminal,
            today=today,
        )
    )
    provision = rules.provision(case.basis)
    if provision.procedure is Procedure.ORDER_AND_FINE:
        # 责令改正，并处: the order is part of the decision, corrected at once.
        db.add(
            CorrectionOrder(
                case_id=case.id,
                issued_by=principal.user_id,
                issued_at=moment,
                issued_on=today,
                deadline=None,
                requirement=data.requirement.strip() or "立即改正上述违法行为",
            )
        )
    decision = PenaltyDecision(
        case_id=case.id,
        decided_by=principal.user_id,
        decided_at=moment,
        decided_on=today,
        fine_yuan=data.fine_yuan,
        manager_fine_yuan=data.manager_fine_yuan,
        refer_public_order=data.refer_public_order,
        refer_criminal=data.refer_criminal,
        reasons=data.reasons.strip(),
    )
    db.add(decision)
    case.state = CaseState.DECIDED
    db.flush()
    document = issuing.issue_decision_document(
        db, case=case, decision=decision, principal=principal, now=moment, fonts=fonts
    )
    acts.log(
        db,
        Act.PENALTY_DECIDED,
        at=moment,
        case=case.id,
        number=case.number,
        by=principal.user_id,
        article=provision.article,
        other_law=case.other_law or None,
        fine_yuan=data.fine_yuan,
        manager_fine_yuan=data.manager_fine_yuan,
        refer_public_order=data.refer_public_order,
        refer_criminal=data.refer_criminal,
        document=document.number,
        document_sha256=document.sha256,
    )
    return decision


def close_case(
    db: Session,
    *,
    principal: Principal,
    case_id: int,
    reason: str,
    now: dt.datetime | None = None,
) -> EnforcementCase:
    moment = now or utcnow()
    case = get_case(db, principal=principal, case_id=case_id, action=Action.UPDATE)
    _check(rules.may_close(facts_of(db, case), reason=reason))
    previous = case.state
    case.state = CaseState.CLOSED
    case.closed_at = moment
    case.close_reason = reason.strip()[:500]
    db.flush()
    acts.log(
        db,
        Act.CASE_CLOSED,
        at=moment,
        case=case.id,
        number=case.number,
        by=principal.user_id,
        from_state=str(previous),
        reason_sha256=acts.digest({"reason": case.close_reason}),
    )
    return case


def get_document(db: Session, *, principal: Principal, document_id: int) -> EnforcementDocument:
    """A document of a case the principal may read (404 otherwise)."""
    found = db.scalar(
        select(EnforcementDocument)
        .join(EnforcementCase, EnforcementCase.id == EnforcementDocument.case_id)
        .where(EnforcementDocument.id == document_id, visible(principal))
    )
    if found is None:
        raise NotFound(f"document {document_id} not found")
    return found
