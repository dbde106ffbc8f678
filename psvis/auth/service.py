"""Users, logins, sessions and tokens. Keyword-only; every call takes the session."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from psvis.auth.models import AuthToken, User, UserUnit
from psvis.auth.passwords import hash_password, verify_password
from psvis.auth.policy import Role
from psvis.auth.principal import Principal
from psvis.core.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from psvis.core.timeutil import utcnow
from psvis.registry.jurisdictions import subtree_codes
from psvis.registry.models import Jurisdiction, Unit


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A freshly issued token: the only moment the plaintext exists outside the client."""

    token: str
    csrf_token: str
    expires_at: dt.datetime


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: Role,
    jurisdiction_code: str | None = None,
    unit_ids: tuple[int, ...] = (),
    display_name: str = "",
    work_id: str = "",
    department: str = "",
) -> User:
    """Create a user. Police roles need a jurisdiction; unit roles need at least one unit."""
    if (
        not username
        or len(username) > 64
        or not username.replace("_", "").replace(".", "").isalnum()
    ):
        raise InvalidInput("username must be 1-64 letters, digits, '_' or '.'")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"user {username!r} already exists")
    needs_jurisdiction = role.is_police or role is Role.OTHER_DEPT
    if needs_jurisdiction and (
        jurisdiction_code is None or session.get(Jurisdiction, jurisdiction_code) is None
    ):
        raise InvalidInput(f"role {role.value} needs an existing jurisdiction")
    if role.is_unit_staff:
        if not unit_ids:
            raise InvalidInput(f"role {role.value} needs at least one unit")
        found = set(session.scalars(select(Unit.id).where(Unit.id.in_(unit_ids))))
        missing = set(unit_ids) - found
        if missing:
            raise InvalidInput(f"unknown unit ids {sorted(missing)}")
    if role is Role.OTHER_DEPT and not department:
        raise InvalidInput("other-department staff must name their department")
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role,
        jurisdiction_code=jurisdiction_code,
        display_name=display_name or username,
        work_id=work_id,
        department=department,
    )
    session.add(user)
    session.flush()
    for unit_id in unit_ids:
        session.add(UserUnit(user_id=user.id, unit_id=unit_id))
    session.flush()
    return user


def principal_for(session: Session, *, user: User) -> Principal:
    """Build the principal (reach) of a user from the database."""
    covered = (
        subtree_codes(session, user.jurisdiction_code)
        if user.jurisdiction_code and user.role.is_police
        else frozenset()
    )
    units = frozenset(session.scalars(select(UserUnit.unit_id).where(UserUnit.user_id == user.id)))
    return Principal(
        user_id=user.id,
        username=user.username,
        role=user.role,
        jurisdiction_code=user.jurisdiction_code,
        covered_codes=covered,
        unit_ids=units,
        work_id=user.work_id,
        display_name=user.display_name,
    )


def authenticate(
    session: Session,
    *,
    username: str,
    password: str,
    lockout_threshold: int,
    lockout_minutes: int,
) -> User:
    """Check a password. Repeated failures lock the account for a while; the error never
    says whether the user exists."""
    now = utcnow()
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        verify_password(None, password)  # same cost as a real check
        raise Unauthenticated("wrong username or password")
    if user.locked_until is not None and user.locked_until > now:
        raise Unauthenticated(
            "account locked after repeated failed logins; try again later",
            details={"locked_until": user.locked_until.isoformat()},
        )
    if not user.active or not verify_password(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= lockout_threshold:
            user.locked_until = now + dt.timedelta(minutes=lockout_minutes)
            user.failed_logins = 0
        session.flush()
        raise Unauthenticated("wrong username or password")
    user.failed_logins = 0
    user.locked_until = None
    session.flush()
    return user


def issue_token(session: Session, *, user: User, kind: str, hours: int) -> IssuedToken:
    """Issue a session cookie value or API token; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24)
    expires = utcnow() + dt.timedelta(hours=hours)
    session.add(
        AuthToken(
            token_hash=_digest(token),
            user_id=user.id,
            kind=kind,
            csrf_token=csrf,
            expires_at=expires,
        )
    )
    session.flush()
    return IssuedToken(token=token, csrf_token=csrf, expires_at=expires)


def resolve_token(session: Session, *, token: str, kind: str) -> tuple[User, AuthToken]:
    """The user behind a live token of the given kind, or :class:`Unauthenticated`."""
    if not token or len(token) > 200:
        raise Unauthenticated("missing or malformed credentials")
    row = session.scalar(
        select(AuthToken).where(AuthToken.token_hash == _digest(token), AuthToken.kind == kind)
    )
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        raise Unauthenticated("session expired or invalid; sign in again")
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        raise Unauthenticated("account disabled")
    return user, row


def revoke_token(session: Session, *, token: str) -> None:
    row = session.scalar(select(AuthToken).where(AuthToken.token_hash == _digest(token)))
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        session.flush()


def purge_expired_tokens(session: Session) -> int:
    result = session.execute(delete(AuthToken).where(AuthToken.expires_at <= utcnow()))
    return int(getattr(result, "rowcount", 0) or 0)


def get_user_or_raise(session: Session, *, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} not found")
    return user


def user_unit_ids(session: Session, *, user_id: int) -> list[int]:
    return list(session.scalars(select(UserUnit.unit_id).where(UserUnit.user_id == user_id)))
