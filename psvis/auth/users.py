"""User administration, scoped: an admin manages users of their own jurisdiction only."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from psvis.auth import service
from psvis.auth.models import User
from psvis.auth.policy import Action, Resource, Role
from psvis.auth.principal import Principal
from psvis.auth.schemas import UserCreate
from psvis.core.errors import Forbidden, InvalidInput, NotFound
from psvis.registry.models import Unit
from psvis.registry.service import page

#: Roles a district admin may not hand out (only the city admin creates admins).
CITY_ONLY_ROLES = frozenset({Role.CITY_ADMIN, Role.DISTRICT_ADMIN})


def list_users(
    session: Session, *, principal: Principal, limit: int = 50, offset: int = 0
) -> tuple[list[User], int]:
    principal.reach(Resource.USER, Action.READ)
    stmt = select(User).where(User.jurisdiction_code.in_(principal.covered_codes)).order_by(User.id)
    return page(session, stmt, limit=limit, offset=offset)


def get_user(session: Session, *, principal: Principal, user_id: int) -> User:
    principal.reach(Resource.USER, Action.READ)
    user = session.get(User, user_id)
    if user is None or user.jurisdiction_code not in principal.covered_codes:
        raise NotFound(f"user {user_id} not found")
    return user


def create_user(session: Session, *, principal: Principal, data: UserCreate) -> User:
    principal.reach(Resource.USER, Action.CREATE)
    if data.role in CITY_ONLY_ROLES and principal.role is not Role.CITY_ADMIN:
        raise Forbidden(f"only a city admin may create a {data.role.value}")
    jurisdiction = data.jurisdiction_code
    if data.role.is_unit_staff:
        units = list(session.scalars(select(Unit).where(Unit.id.in_(data.unit_ids))))
        if len(units) != len(set(data.unit_ids)) or not units:
            raise InvalidInput("unit staff need existing units")
        jurisdictions = {u.jurisdiction_code for u in units}
        if not jurisdictions <= principal.covered_codes:
            raise Forbidden("those units lie outside your jurisdiction")
        jurisdiction = sorted(jurisdictions)[0]
    if jurisdiction is None or jurisdiction not in principal.covered_codes:
        raise Forbidden("the new user's jurisdiction must lie inside yours")
    return service.create_user(
        session,
        username=data.username,
        password=data.password.get_secret_value(),
        role=data.role,
        jurisdiction_code=jurisdiction,
        unit_ids=tuple(data.unit_ids),
        display_name=data.display_name,
        work_id=data.work_id,
        department=data.department,
    )
