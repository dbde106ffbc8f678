"""Execution sessions (Art. 19): two officers open one on an approved request, the
registration (登记) is written with it, and it closes.

The first officer is the signed-in caller. The second proves presence in the same act
with their password *and* a TOTP code (psvis/auth/totp.py) — a code is accepted once —
and failures count towards the second officer's login lockout, as a failed sign-in does.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from psvis.auth import service as auth_service
from psvis.auth import totp
from psvis.auth.models import User
from psvis.auth.passwords import verify_password
from psvis.auth.policy import Action, Reach, Resource
from psvis.auth.principal import Principal
from psvis.compliance.rules import Decision
from psvis.core.errors import Conflict, Forbidden, NotFound, Refused
from psvis.core.secrets import SecretBox
from psvis.core.timeutil import utcnow
from psvis.custody import acts, requests, rules
from psvis.custody.acts import Act
from psvis.custody.models import (
    AccessRecord,
    Approval,
    ExecutionSession,
    Registration,
    RequestScope,
    RetrievalRequest,
)
from psvis.registry.models import Camera, System, Unit
from psvis.registry.service import page

AUTH_RULE = "art19_second_officer_authenticated"


def _refused(decision: Decision) -> Refused:
    return Refused(
        decision.reason,
        article=decision.article,
        article_zh=decision.article_zh,
        rule=decision.rule,
        details=decision.evidence,
    )


def _not_authenticated() -> Refused:
    return Refused(
        "the second officer's password or one-time code is wrong, or the account is locked",
        article=rules.ART19[0],
        article_zh=rules.ART19[1],
        rule=AUTH_RULE,
    )


def _count_failure(user: User, *, threshold: int, minutes: int, now: dt.datetime) -> None:
    """A wrong TOTP code counts like a wrong password (psvis.auth.service.authenticate)."""
    user.failed_logins += 1
    if user.failed_logins >= threshold:
        user.locked_until = now + dt.timedelta(minutes=minutes)
        user.failed_logins = 0


def _second_officer(
    session: Session,
    *,
    username: str,
    password: str,
    code: str,
    box: SecretBox,
    lockout_threshold: int,
    lockout_minutes: int,
    now: dt.datetime,
) -> tuple[User, bool, bool]:
    """Officer B and whether password and code were right. An unknown username costs a
    password check and is refused like a wrong password (no user enumeration).

    Both factors pass or the attempt counts as one failure towards B's lockout; the
    counter resets only when both pass (a right password must not reset it, or the
    six-digit code could be guessed without end)."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        verify_password(None, password)
        raise _not_authenticated()
    if user.locked_until is not None and user.locked_until > now:
        verify_password(None, password)
        return user, False, False
    password_ok = user.active and verify_password(user.password_hash, password)
    code_ok = False
    if password_ok:
        if user.totp_secret_encrypted is None:
            raise Refused(
                f"the second officer {username!r} has not enrolled a TOTP authenticator",
                article=rules.ART19[0],
                article_zh=rules.ART19[1],
                rule=AUTH_RULE,
            )
        counter = totp.verify(
            box.decrypt(user.totp_secret_encrypted),
            code,
            last_counter=user.totp_last_counter,
            now=now,
        )
        if counter is not None:
            code_ok = True
            user.totp_last_counter = counter  # this code, and every older one, is spent
    if password_ok and code_ok:
        user.failed_logins = 0
        user.locked_until = None
    else:
        _count_failure(user, threshold=lockout_threshold, minutes=lockout_minutes, now=now)
    session.flush()
    return user, password_ok, code_ok


def open_session(
    session: Session,
    *,
    principal: Principal,
    request_id: int,
    officer_b_username: str,
    officer_b_password: str,
    officer_b_totp: str,
    box: SecretBox,
    lockout_threshold: int,
    lockout_minutes: int,
    console_token_id: int | None = None,
    now: dt.datetime | None = None,
) -> ExecutionSession:
    """Open an execution session (Art. 19) with the caller as officer A and officer B
    authenticating now. Writes the session, one registration per unit whose cameras the
    request reaches, and the ``session.opened`` entry.

    Raises :class:`Refused` (422, naming the article) when a condition of Art. 18-19 is
    not met — including B's credentials; the caller should commit before answering, so
    the failed-attempt counter and the spent code survive the refusal."""
    moment = now or utcnow()
    principal.reach(Resource.CUSTODY_SESSION, Action.CREATE)
    request = requests.get_request(session, principal=principal, request_id=request_id)
    if _open_session_of(session, request_id=request.id) is not None:
        raise Conflict(f"request {request.number} already has an open session; close it first")
    officer_a = session.get(User, principal.user_id)
    assert officer_a is not None
    officer_b, password_ok, code_ok = _second_officer(
        session,
        username=officer_b_username,
        password=officer_b_password,
        code=officer_b_totp,
        box=box,
        lockout_threshold=lockout_threshold,
        lockout_minutes=lockout_minutes,
        now=moment,
    )
    codes = {s.jurisdiction_code for s in requests.scopes_of(session, request_id=request.id)}
    b_principal = auth_service.principal_for(session, user=officer_b)
    decision = rules.session_may_open(
        state=requests.state_at(request, moment),
        valid_from=request.valid_from,
        valid_until=request.valid_until,
        now=moment,
        officer_a=_officer(officer_a, principal, codes),
        officer_b=_officer(officer_b, b_principal, codes),
        b_password_ok=password_ok,
        b_totp_ok=code_ok,
    )
    if not decision.ok:
        raise _refused(decision)
    approval = requests.approval_of(session, request_id=request.id)
    assert approval is not None  # state approved ⇒ an approval
    assert approval.approved
    row = ExecutionSession(
        request_id=request.id,
        officer_a_id=officer_a.id,
        officer_a_work_id=officer_a.work_id,
        officer_b_id=officer_b.id,
        officer_b_work_id=officer_b.work_id,
        document_number=approval.document_number,
        opened_at=moment,
        console_token_id=console_token_id,
    )
    session.add(row)
    session.flush()
    registrations = _register(
        session, request=request, approval=approval, row=row, a=officer_a, b=officer_b
    )
    acts.log(
        session,
        Act.SESSION_OPENED,
        at=moment,
        session=row.id,
        request=request.id,
        number=request.number,
        officers=[
            {"user": officer_a.id, "work_id": officer_a.work_id},
            {"user": officer_b.id, "work_id": officer_b.work_id},
        ],
        document=approval.document_number,
        registrations=[r.id for r in registrations],
    )
    return row


def _officer(user: User, principal: Principal, codes: set[str]) -> rules.Officer:
    footage = principal.may(Resource.FOOTAGE, Action.PLAYBACK)
    reach = principal.reach(Resource.FOOTAGE, Action.PLAYBACK) if footage else None
    covers = reach is Reach.ALL or (
        reach is Reach.JURISDICTION and codes <= principal.covered_codes
    )
    return rules.Officer(
        user_id=user.id,
        role=user.role,
        work_id=user.work_id,
        active=user.active,
        covers_scope=covers,
    )


def _register(
    session: Session,
    *,
    request: RetrievalRequest,
    approval: Approval,
    row: ExecutionSession,
    a: User,
    b: User,
) -> list[Registration]:
    """One registration per unit using the request's cameras (使用单位), with every
    fact copied in."""
    chief = session.get(User, approval.chief_id)
    assert chief is not None
    found = session.execute(
        select(
            RequestScope,
            Camera.gb_id,
            Camera.name,
            Unit.id,
            Unit.name,
            Unit.jurisdiction_code,
        )
        .join(Camera, Camera.id == RequestScope.camera_id)
        .join(System, System.id == Camera.system_id)
        .join(Unit, Unit.id == System.user_unit_id)
        .where(RequestScope.request_id == request.id)
        .order_by(Unit.id, RequestScope.camera_id, RequestScope.start_at)
    )
    by_unit: dict[int, list[Any]] = defaultdict(list)
    for scope, gb_id, camera_name, unit_id, unit_name, unit_code in found:
        by_unit[unit_id].append((scope, gb_id, camera_name, unit_name, unit_code))
    written = []
    for unit_id, items in by_unit.items():
        registration = Registration(
            session_id=row.id,
            request_id=request.id,
            unit_id=unit_id,
            unit_name=items[0][3],
            jurisdiction_code=items[0][4],
            bureau_code=request.bureau_code,
            request_number=request.number,
            case_number=request.case_number,
            department_kind=request.department_kind,
            department_name=request.department_name,
            legal_basis=request.legal_basis,
            purpose=request.purpose,
            officer_a_name=a.display_name,
            officer_a_work_id=a.work_id,
            officer_b_name=b.display_name,
            officer_b_work_id=b.work_id,
            approver_name=chief.display_name,
            document_number=approval.document_number,
            scopes=[
                {
                    "camera_id": scope.camera_id,
                    "gb_id": gb_id,
                    "name": camera_name,
                    "start": scope.start_at.isoformat(),
                    "end": scope.end_at.isoformat(),
                }
                for scope, gb_id, camera_name, _n, _c in items
            ],
            range_start=min(item[0].start_at for item in items),
            range_end=max(item[0].end_at for item in items),
            actions=list(request.actions),
            opened_at=row.opened_at,
        )
        session.add(registration)
        written.append(registration)
    session.flush()
    return written


def _open_session_of(session: Session, *, request_id: int) -> ExecutionSession | None:
    return session.scalar(
        select(ExecutionSession).where(
            ExecutionSession.request_id == request_id, ExecutionSession.closed_at.is_(None)
        )
    )


def get_session(session: Session, *, principal: Principal, session_id: int) -> ExecutionSession:
    """A session of a request the principal may read (404 otherwise)."""
    row = session.get(ExecutionSession, session_id)
    if row is None:
        raise NotFound(f"execution session {session_id} not found")
    requests.get_request(session, principal=principal, request_id=row.request_id)
    return row


def close_session(
    session: Session, *, principal: Principal, session_id: int, now: dt.datetime | None = None
) -> ExecutionSession:
    """Close a session (either of its officers)."""
    principal.reach(Resource.CUSTODY_SESSION, Action.UPDATE)
    row = get_session(session, principal=principal, session_id=session_id)
    if principal.user_id not in (row.officer_a_id, row.officer_b_id):
        raise Forbidden("only the session's officers close it")
    if row.closed_at is not None:
        raise Conflict(f"execution session {session_id} is already closed")
    return close(session, session_id=session_id, by=principal.user_id, now=now or utcnow())


def close(
    session: Session, *, session_id: int, by: int | None, now: dt.datetime
) -> ExecutionSession:
    """Close the session and its registrations (with the count of segments accessed);
    ``by`` None: closed by the system (the request expired)."""
    row = session.get(ExecutionSession, session_id)
    assert row is not None
    row.closed_at = now
    row.console_token_id = None
    accessed: dict[int, int] = {
        camera: int(count)
        for camera, count in session.execute(
            select(AccessRecord.camera_id, func.count(func.distinct(AccessRecord.segment_id)))
            .where(AccessRecord.session_id == row.id)
            .group_by(AccessRecord.camera_id)
        )
    }
    for registration in session.scalars(
        select(Registration).where(Registration.session_id == row.id)
    ):
        registration.closed_at = now
        cameras = {int(s["camera_id"]) for s in registration.scopes}
        registration.accessed_segments = sum(accessed.get(c, 0) for c in cameras)
    session.flush()
    acts.log(
        session,
        Act.SESSION_CLOSED,
        at=now,
        session=row.id,
        request=row.request_id,
        by=by,
        accessed_segments=sum(accessed.values()),
    )
    return row


# --- the registration book ---------------------------------------------------------------


def _registrations_visible(principal: Principal) -> ColumnElement[bool]:
    reach = principal.reach(Resource.CUSTODY_REGISTRATION, Action.READ)
    if reach is Reach.ALL:
        return and_(True)
    if reach is Reach.JURISDICTION:
        return or_(
            Registration.jurisdiction_code.in_(principal.covered_codes),
            Registration.bureau_code.in_(principal.covered_codes),
        )
    return Registration.unit_id.in_(principal.unit_ids)


def list_registrations(
    session: Session,
    *,
    principal: Principal,
    unit_id: int | None = None,
    jurisdiction_code: str | None = None,
    opened_from: dt.datetime | None = None,
    opened_until: dt.datetime | None = None,
    request_number: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Registration], int]:
    """The registration book (登记簿) the principal may read, newest first: a bureau's
    (registrations of units in its jurisdiction, or made on its requests) or a unit's
    own; filterable by unit, the unit's jurisdiction, opening time ``[from, until)`` and
    request number."""
    stmt = select(Registration).where(_registrations_visible(principal))
    if unit_id is not None:
        stmt = stmt.where(Registration.unit_id == unit_id)
    if jurisdiction_code:
        stmt = stmt.where(Registration.jurisdiction_code == jurisdiction_code)
    if opened_from is not None:
        stmt = stmt.where(Registration.opened_at >= opened_from)
    if opened_until is not None:
        stmt = stmt.where(Registration.opened_at < opened_until)
    if request_number:
        stmt = stmt.where(Registration.request_number == request_number)
    order = (Registration.opened_at.desc(), Registration.id.desc())
    return page(session, stmt.order_by(*order), limit=limit, offset=offset)


def accesses_of(session: Session, *, session_id: int) -> list[AccessRecord]:
    return list(
        session.scalars(
            select(AccessRecord)
            .where(AccessRecord.session_id == session_id)
            .order_by(AccessRecord.id)
        )
    )
