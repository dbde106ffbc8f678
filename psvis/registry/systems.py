"""Systems: creation, updates, and lifecycle transitions (Art. 13, 15, 16, 17(4))."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from psvis.auth import scope
from psvis.auth.policy import Action, Resource
from psvis.auth.principal import Principal
from psvis.compliance import rules
from psvis.core.errors import Conflict, InvalidInput
from psvis.core.timeutil import utcnow
from psvis.ledger import config_changes
from psvis.registry import validation
from psvis.registry.enums import LifecycleState
from psvis.registry.models import Camera, Site, System, Unit
from psvis.registry.schemas import SystemCreate, SystemTransition, SystemUpdate
from psvis.registry.service import (
    ensure_reach_for_new,
    flush_or_conflict,
    get_site,
    page,
    scoped_get,
    text_filter,
)


def lifecycle_facts(system: System) -> validation.LifecycleFacts:
    return validation.LifecycleFacts(
        state=system.state,
        acceptance_police_participant=system.acceptance_police_participant,
        acceptance_date=system.acceptance_date,
        acceptance_result=system.acceptance_result,
        removal_notice_date=system.removal_notice_date,
        planned_removal_date=system.planned_removal_date,
        removed_on=system.removed_on,
        commissioned_on=system.commissioned_on,
        filing_date=system.filing_date,
        in_operation=system.in_operation,
    )


def _units_exist(session: Session, unit_ids: set[int]) -> list[validation.Problem]:
    found = set(session.scalars(select(Unit.id).where(Unit.id.in_(unit_ids))))
    return [
        validation.Problem("unit", f"unit {missing} does not exist")
        for missing in sorted(unit_ids - found)
    ]


def list_systems(
    session: Session,
    *,
    principal: Principal,
    jurisdiction_code: str | None = None,
    state: LifecycleState | None = None,
    site_id: int | None = None,
    q: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[System], int]:
    stmt = select(System).where(scope.where(principal, Resource.SYSTEM, Action.READ))
    if jurisdiction_code:
        stmt = stmt.where(System.jurisdiction_code == jurisdiction_code)
    if state:
        stmt = stmt.where(System.state == state)
    if site_id:
        stmt = stmt.where(System.site_id == site_id)
    if (text := text_filter(q, System.name, System.filing_number)) is not None:
        stmt = stmt.where(text)
    return page(session, stmt.order_by(System.id), limit=limit, offset=offset)


def get_system(session: Session, *, principal: Principal, system_id: int) -> System:
    return scoped_get(
        session, principal=principal, model=System, resource=Resource.SYSTEM, object_id=system_id
    )


def create_system(session: Session, *, principal: Principal, data: SystemCreate) -> System:
    site: Site = get_site(session, principal=principal, site_id=data.site_id)
    system = System(**data.model_dump(), jurisdiction_code=site.jurisdiction_code)
    problems = validation.retention(data.retention_days)
    problems += _units_exist(
        session, {data.builder_unit_id, data.user_unit_id, data.maintainer_unit_id}
    )
    problems += validation.lifecycle(lifecycle_facts(system))
    validation.raise_if_any(problems, what="system")
    ensure_reach_for_new(
        principal,
        resource=Resource.SYSTEM,
        jurisdiction_code=site.jurisdiction_code,
        unit_ids=(data.user_unit_id, data.builder_unit_id),
    )
    session.add(system)
    flush_or_conflict(session, "system")
    return system


def update_system(
    session: Session, *, principal: Principal, system_id: int, data: SystemUpdate
) -> System:
    system = scoped_get(
        session,
        principal=principal,
        model=System,
        resource=Resource.SYSTEM,
        object_id=system_id,
        action=Action.UPDATE,
    )
    before = config_changes.system_facts(system)
    changes = data.model_dump(exclude_unset=True)
    nullable = {"observed_retention_days", "commissioned_on", "filing_date"}
    for key, value in changes.items():
        if value is None and key not in nullable:
            raise InvalidInput(f"{key} cannot be null")
    problems = validation.retention(changes.get("retention_days"))
    unit_keys = ("builder_unit_id", "user_unit_id", "maintainer_unit_id")
    problems += _units_exist(session, {changes[k] for k in unit_keys if k in changes})
    validation.raise_if_any(problems, what="system update")
    # Putting an unaccepted system into operation is recorded as the fact it is; the
    # compliance check turns it into an Art. 13 finding (inspectors report such facts).
    for key, value in changes.items():
        setattr(system, key, value)
    validation.raise_if_any(validation.lifecycle(lifecycle_facts(system)), what="system update")
    _record_changes(session, principal=principal, system=system, before=before)
    flush_or_conflict(session, "system")
    return system


def _record_changes(
    session: Session,
    *,
    principal: Principal,
    system: System,
    before: dict[str, config_changes.Fact],
) -> None:
    """Retention (Art. 17(4)) and whether the system records (state, in operation)
    enter the ledger in this transaction."""
    config_changes.record_changes(
        session,
        subject=config_changes.SYSTEM,
        subject_id=system.id,
        before=before,
        after=config_changes.system_facts(system),
        actor=config_changes.actor_of(principal),
        at=utcnow(),
    )


def transition_system(
    session: Session, *, principal: Principal, system_id: int, data: SystemTransition
) -> System:
    """Move along the lifecycle; the new state's facts are required (Art. 13, 15)."""
    system = scoped_get(
        session,
        principal=principal,
        model=System,
        resource=Resource.SYSTEM,
        object_id=system_id,
        action=Action.UPDATE,
    )
    before = config_changes.system_facts(system)
    decision = rules.transition_allowed(system.state, data.target)
    if not decision.ok:
        raise Conflict(f"{decision.reason} ({decision.article})", details=decision.evidence)
    for key, value in data.model_dump(exclude_unset=True, exclude={"target"}).items():
        setattr(system, key, value)
    if data.target is LifecycleState.BUILDING and system.state is LifecycleState.ACCEPTANCE_PENDING:
        system.in_operation = False  # failed acceptance: not in use (Art. 13)
    if data.target is LifecycleState.REMOVED:
        system.in_operation = False
    if data.target is LifecycleState.ACCEPTED and system.state is LifecycleState.REMOVAL_NOTIFIED:
        system.removal_notice_date = None  # removal called off
        system.planned_removal_date = None
    system.state = data.target
    validation.raise_if_any(validation.lifecycle(lifecycle_facts(system)), what="transition")
    _record_changes(session, principal=principal, system=system, before=before)
    flush_or_conflict(session, "system")
    return system


def delete_system(session: Session, *, principal: Principal, system_id: int) -> None:
    system = scoped_get(
        session,
        principal=principal,
        model=System,
        resource=Resource.SYSTEM,
        object_id=system_id,
        action=Action.DELETE,
    )
    if session.scalar(select(func.count()).where(Camera.system_id == system_id)):
        raise Conflict(f"system {system_id} still has cameras; remove those first")
    session.delete(system)
    flush_or_conflict(session, "system")


def rules_facts(system: System) -> rules.SystemFacts:
    return rules.SystemFacts(
        id=system.id,
        site_id=system.site_id,
        state=system.state,
        in_operation=system.in_operation,
        signage_present=system.signage_present,
        commissioned_on=system.commissioned_on,
        acceptance_result=system.acceptance_result,
        acceptance_date=system.acceptance_date,
        filing_date=system.filing_date,
        removal_notice_date=system.removal_notice_date,
        planned_removal_date=system.planned_removal_date,
        removed_on=system.removed_on,
        observed_retention_days=system.observed_retention_days,
    )
