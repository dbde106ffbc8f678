"""Registry services shared helpers, units and sites. Keyword-only, scoped by principal.

Every read goes through :func:`psvis.auth.scope.where`; an object outside the caller's
read reach is reported as not found, one inside read reach but outside the action's reach
as forbidden.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from psvis.auth import scope
from psvis.auth.policy import Action, Reach, Resource
from psvis.auth.principal import Principal
from psvis.core.db import Base
from psvis.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from psvis.registry import validation
from psvis.registry.enums import SiteCategory, UnitKind
from psvis.registry.models import Jurisdiction, Site, System, Unit
from psvis.registry.schemas import SiteCreate, SiteUpdate, UnitCreate, UnitUpdate

M = TypeVar("M", bound=Base)

MAX_PAGE = 500


def page(session: Session, stmt: Select[M], *, limit: int, offset: int) -> tuple[list[M], int]:
    """One page of ``stmt`` and the total count of its rows."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}")
    if offset < 0:
        raise InvalidInput("offset must not be negative")
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = list(session.scalars(stmt.limit(limit).offset(offset)))
    return rows, int(total)


def text_filter(q: str | None, *columns: Any) -> ColumnElement[bool] | None:
    if not q:
        return None
    if len(q) > 100:
        raise InvalidInput("search text is limited to 100 characters")
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return or_(*(col.ilike(f"%{escaped}%", escape="\\") for col in columns))


def scoped_get(
    session: Session,
    *,
    principal: Principal,
    model: type[M],
    resource: Resource,
    object_id: int,
    action: Action = Action.READ,
) -> M:
    """Load one object the principal may see; 404 outside read reach, 403 outside the
    action's reach."""
    pk = model.__mapper__.primary_key[0]
    found = session.scalar(
        select(model).where(pk == object_id, scope.where(principal, resource, Action.READ))
    )
    if found is None:
        raise NotFound(f"{resource.value} {object_id} not found")
    if action is not Action.READ:
        allowed = session.scalar(
            select(pk).where(pk == object_id, scope.where(principal, resource, action))
        )
        if allowed is None:
            raise Forbidden(f"you may not {action.value} {resource.value} {object_id}")
    return found


def ensure_reach_for_new(
    principal: Principal,
    *,
    resource: Resource,
    jurisdiction_code: str,
    unit_ids: Iterable[int],
) -> None:
    """A new object must land inside the creator's reach (jurisdiction or own units)."""
    reach = principal.reach(resource, Action.CREATE)
    if reach is Reach.ALL:
        return
    if reach is Reach.JURISDICTION:
        if not principal.covers(jurisdiction_code):
            raise Forbidden(f"jurisdiction {jurisdiction_code} is outside yours")
        return
    if not principal.unit_ids.intersection(unit_ids):
        raise Forbidden(f"the new {resource.value} does not belong to one of your units")


def require_jurisdiction(session: Session, code: str) -> Jurisdiction:
    found = session.get(Jurisdiction, code)
    if found is None:
        raise InvalidInput(f"unknown jurisdiction {code!r}")
    return found


def flush_or_conflict(session: Session, what: str) -> None:
    try:
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict(
            f"{what}: conflicts with existing data ({exc.orig.__class__.__name__})"
        ) from exc


# --- units --------------------------------------------------------------------------------


def list_units(
    session: Session,
    *,
    principal: Principal,
    jurisdiction_code: str | None = None,
    kind: UnitKind | None = None,
    q: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Unit], int]:
    stmt = select(Unit).where(scope.where(principal, Resource.UNIT, Action.READ))
    if jurisdiction_code:
        stmt = stmt.where(Unit.jurisdiction_code == jurisdiction_code)
    if kind:
        stmt = stmt.where(Unit.kind == kind)
    if (text := text_filter(q, Unit.name, Unit.credit_code)) is not None:
        stmt = stmt.where(text)
    return page(session, stmt.order_by(Unit.id), limit=limit, offset=offset)


def get_unit(session: Session, *, principal: Principal, unit_id: int) -> Unit:
    return scoped_get(
        session, principal=principal, model=Unit, resource=Resource.UNIT, object_id=unit_id
    )


def create_unit(session: Session, *, principal: Principal, data: UnitCreate) -> Unit:
    code = data.credit_code.upper()
    validation.raise_if_any(validation.credit_code(code), what="unit")
    require_jurisdiction(session, data.jurisdiction_code)
    ensure_reach_for_new(
        principal, resource=Resource.UNIT, jurisdiction_code=data.jurisdiction_code, unit_ids=()
    )
    if session.scalar(select(Unit.id).where(Unit.credit_code == code)) is not None:
        raise Conflict(f"a unit with credit code {code} already exists")
    unit = Unit(**data.model_dump(exclude={"credit_code"}), credit_code=code)
    session.add(unit)
    flush_or_conflict(session, "unit")
    return unit


def update_unit(session: Session, *, principal: Principal, unit_id: int, data: UnitUpdate) -> Unit:
    unit = scoped_get(
        session,
        principal=principal,
        model=Unit,
        resource=Resource.UNIT,
        object_id=unit_id,
        action=Action.UPDATE,
    )
    for key, value in data.model_dump(exclude_unset=True).items():
        if value is None:
            raise InvalidInput(f"{key} cannot be null")
        setattr(unit, key, value)
    flush_or_conflict(session, "unit")
    return unit


def delete_unit(session: Session, *, principal: Principal, unit_id: int) -> None:
    unit = scoped_get(
        session,
        principal=principal,
        model=Unit,
        resource=Resource.UNIT,
        object_id=unit_id,
        action=Action.DELETE,
    )
    in_use = session.scalar(
        select(func.count()).where(
            or_(
                System.builder_unit_id == unit_id,
                System.user_unit_id == unit_id,
                System.maintainer_unit_id == unit_id,
            )
        )
    ) or session.scalar(select(func.count()).where(Site.responsible_unit_id == unit_id))
    if in_use:
        raise Conflict(f"unit {unit_id} still has sites or systems; remove those first")
    session.delete(unit)
    flush_or_conflict(session, "unit")


# --- sites --------------------------------------------------------------------------------


def list_sites(
    session: Session,
    *,
    principal: Principal,
    jurisdiction_code: str | None = None,
    category: SiteCategory | None = None,
    unit_id: int | None = None,
    q: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Site], int]:
    stmt = select(Site).where(scope.where(principal, Resource.SITE, Action.READ))
    if jurisdiction_code:
        stmt = stmt.where(Site.jurisdiction_code == jurisdiction_code)
    if category:
        stmt = stmt.where(Site.category == category)
    if unit_id:
        stmt = stmt.where(Site.responsible_unit_id == unit_id)
    if (text := text_filter(q, Site.name, Site.address)) is not None:
        stmt = stmt.where(text)
    return page(session, stmt.order_by(Site.id), limit=limit, offset=offset)


def get_site(session: Session, *, principal: Principal, site_id: int) -> Site:
    return scoped_get(
        session, principal=principal, model=Site, resource=Resource.SITE, object_id=site_id
    )


def create_site(session: Session, *, principal: Principal, data: SiteCreate) -> Site:
    require_jurisdiction(session, data.jurisdiction_code)
    # The responsible unit must be one the caller can see.
    get_unit(session, principal=principal, unit_id=data.responsible_unit_id)
    ensure_reach_for_new(
        principal,
        resource=Resource.SITE,
        jurisdiction_code=data.jurisdiction_code,
        unit_ids=(data.responsible_unit_id,),
    )
    site = Site(**data.model_dump())
    session.add(site)
    flush_or_conflict(session, "site")
    return site


def update_site(session: Session, *, principal: Principal, site_id: int, data: SiteUpdate) -> Site:
    site = scoped_get(
        session,
        principal=principal,
        model=Site,
        resource=Resource.SITE,
        object_id=site_id,
        action=Action.UPDATE,
    )
    changes = data.model_dump(exclude_unset=True)
    if changes.get("responsible_unit_id") is not None:
        get_unit(session, principal=principal, unit_id=changes["responsible_unit_id"])
    for key, value in changes.items():
        if value is None:
            raise InvalidInput(f"{key} cannot be null")
        setattr(site, key, value)
    flush_or_conflict(session, "site")
    return site


def delete_site(session: Session, *, principal: Principal, site_id: int) -> None:
    site = scoped_get(
        session,
        principal=principal,
        model=Site,
        resource=Resource.SITE,
        object_id=site_id,
        action=Action.DELETE,
    )
    if session.scalar(select(func.count()).where(System.site_id == site_id)):
        raise Conflict(f"site {site_id} still has systems; remove those first")
    session.delete(site)
    flush_or_conflict(session, "site")
