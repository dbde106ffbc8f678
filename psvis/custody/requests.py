"""Retrieval requests (Art. 18): filing, the chief's decision, legal holds, closing.

Keyword-only; every function takes the session and the caller, writes its rows and the
ledger entries of its acts in the caller's transaction (the caller commits).
A request's scope lives in ``RequestScope`` rows; ``state`` moves only forward:
requested → approved | rejected, approved → expired | closed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Final

from sqlalchemy import ColumnElement, exists, func, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from psvis.auth.models import User
from psvis.auth.policy import Action, Reach, Resource, Role
from psvis.auth.principal import Principal
from psvis.compliance.rules import Decision
from psvis.core.errors import Conflict, Forbidden, InvalidInput, NotFound, PsvisError
from psvis.core.timeutil import CHINA_TZ, utcnow
from psvis.custody import acts, rules, scans
from psvis.custody.acts import Act
from psvis.custody.enums import DepartmentKind, RequestState
from psvis.custody.models import Approval, ExecutionSession, RequestScope, RetrievalRequest
from psvis.custody.schemas import RequestCreate
from psvis.recording.models import LegalHold
from psvis.recording.playback import EARLIEST
from psvis.registry import cameras
from psvis.registry.models import Camera, Jurisdiction
from psvis.registry.service import page

#: Longest validity window a chief can be asked to sign.
MAX_VALIDITY: Final = dt.timedelta(days=90)
#: Longest interval of one camera in one request.
MAX_SCOPE_SPAN: Final = dt.timedelta(days=31)
#: Attempts at a fresh serial number when two requests of a bureau race.
NUMBER_ATTEMPTS: Final = 5


def refusal(decision: Decision, *, forbidden: bool = True) -> PsvisError:
    """The error for a failed rule: 403 (who may) naming the article in the message."""
    details = {
        "article": decision.article,
        "article_zh": decision.article_zh,
        "rule": decision.rule,
        **decision.evidence,
    }
    message = f"{decision.reason} ({decision.article} / {decision.article_zh})"
    if forbidden:
        return Forbidden(message, details=details)
    return Conflict(message, details=details)


def state_at(request: RetrievalRequest, now: dt.datetime) -> RequestState:
    """The state as of ``now``: an approved request past its validity reads expired."""
    if request.state is RequestState.APPROVED and now >= request.valid_until:
        return RequestState.EXPIRED
    return request.state


# --- visibility ---------------------------------------------------------------------------


def visible(principal: Principal) -> ColumnElement[bool]:
    """Requests the principal may read: police see those touching their jurisdiction,
    their own and those they executed; another department's staff see their own."""
    reach = principal.reach(Resource.CUSTODY_REQUEST, Action.READ)
    mine = RetrievalRequest.requester_id == principal.user_id
    if reach is Reach.ALL:
        return true()
    if reach is Reach.JURISDICTION:
        touches = exists().where(
            RequestScope.request_id == RetrievalRequest.id,
            RequestScope.jurisdiction_code.in_(principal.covered_codes),
        )
        executed = exists().where(
            ExecutionSession.request_id == RetrievalRequest.id,
            or_(
                ExecutionSession.officer_a_id == principal.user_id,
                ExecutionSession.officer_b_id == principal.user_id,
            ),
        )
        return or_(mine, touches, executed)
    return mine


def get_request(session: Session, *, principal: Principal, request_id: int) -> RetrievalRequest:
    found = session.scalar(
        select(RetrievalRequest).where(RetrievalRequest.id == request_id, visible(principal))
    )
    if found is None:
        raise NotFound(f"retrieval request {request_id} not found")
    return found


def list_requests(
    session: Session,
    *,
    principal: Principal,
    state: RequestState | None = None,
    awaiting_me: bool = False,
    limit: int = 50,
    offset: int = 0,
    now: dt.datetime | None = None,
) -> tuple[list[RetrievalRequest], int]:
    """The requests the principal may read, newest first. ``state`` is as of now
    (expired: approved past validity). ``awaiting_me``: the chief's approval queue —
    requested, not their own, every camera in their jurisdiction."""
    moment = now or utcnow()
    stmt = select(RetrievalRequest).where(visible(principal))
    if state is RequestState.EXPIRED:
        stmt = stmt.where(
            or_(
                RetrievalRequest.state == RequestState.EXPIRED,
                (RetrievalRequest.state == RequestState.APPROVED)
                & (RetrievalRequest.valid_until <= moment),
            )
        )
    elif state is RequestState.APPROVED:
        stmt = stmt.where(
            RetrievalRequest.state == RequestState.APPROVED,
            RetrievalRequest.valid_until > moment,
        )
    elif state is not None:
        stmt = stmt.where(RetrievalRequest.state == state)
    if awaiting_me:
        principal.reach(Resource.CUSTODY_REQUEST, Action.APPROVE)  # a chief's queue
        outside = exists().where(
            RequestScope.request_id == RetrievalRequest.id,
            RequestScope.jurisdiction_code.not_in(principal.covered_codes or {""}),
        )
        stmt = stmt.where(
            RetrievalRequest.state == RequestState.REQUESTED,
            RetrievalRequest.requester_id != principal.user_id,
            ~outside,
        )
    return page(session, stmt.order_by(RetrievalRequest.id.desc()), limit=limit, offset=offset)


def scopes_of(session: Session, *, request_id: int) -> list[RequestScope]:
    return list(
        session.scalars(
            select(RequestScope)
            .where(RequestScope.request_id == request_id)
            .order_by(RequestScope.camera_id, RequestScope.start_at)
        )
    )


def approval_of(session: Session, *, request_id: int) -> Approval | None:
    return session.scalar(select(Approval).where(Approval.request_id == request_id))


def sessions_of(session: Session, *, request_id: int) -> list[ExecutionSession]:
    return list(
        session.scalars(
            select(ExecutionSession)
            .where(ExecutionSession.request_id == request_id)
            .order_by(ExecutionSession.id)
        )
    )


def unreleased_holds(session: Session, *, request: RetrievalRequest) -> list[LegalHold]:
    return list(
        session.scalars(
            select(LegalHold)
            .where(LegalHold.reason == request.number, LegalHold.released_at.is_(None))
            .order_by(LegalHold.id)
        )
    )


# --- filing -----------------------------------------------------------------------------


def _check_times(data: RequestCreate, now: dt.datetime) -> None:
    if data.valid_until <= data.valid_from:
        raise InvalidInput("valid_until must be after valid_from")
    if data.valid_until <= now:
        raise InvalidInput("the validity window has already ended")
    if data.valid_until - data.valid_from > MAX_VALIDITY:
        raise InvalidInput(f"a request is valid for at most {MAX_VALIDITY.days} days")
    for index, scope in enumerate(data.scopes):
        where = f"scopes[{index}]"
        if scope.end <= scope.start:
            raise InvalidInput(f"{where}: end must be after start")
        if scope.end - scope.start > MAX_SCOPE_SPAN:
            raise InvalidInput(f"{where}: one interval spans at most {MAX_SCOPE_SPAN.days} days")
        if scope.start < EARLIEST or scope.end > data.valid_until:
            raise InvalidInput(
                f"{where}: footage must lie between {EARLIEST.date().isoformat()} and the "
                "end of the request's validity (later footage could never be reached with it)"
            )


def _camera_for(session: Session, principal: Principal, camera_id: int) -> Camera:
    """Police name cameras they may read; another department's staff (who read no
    camera) name a camera by id, which must exist."""
    if principal.role.is_police:
        return cameras.get_camera(session, principal=principal, camera_id=camera_id)
    camera = session.get(Camera, camera_id)
    if camera is None:
        raise NotFound(f"camera {camera_id} not found")
    return camera


def _department(session: Session, principal: Principal, data: RequestCreate) -> None:
    if principal.role is Role.OTHER_DEPT:
        user = session.get(User, principal.user_id)
        assert user is not None
        if data.department_kind is not DepartmentKind.OTHER:
            raise InvalidInput("another department's staff file requests of kind 'other'")
        if data.department_name != user.department:
            raise InvalidInput(f"you file requests for your department, {user.department!r}")
    if data.department_kind is DepartmentKind.OTHER and not data.legal_basis.strip():
        raise InvalidInput(
            "another department's request must cite the law it acts under "
            "(Art. 18, second paragraph / 第十八条第二款)",
            details={"article": "Art. 18, second paragraph", "field": "legal_basis"},
        )


def _numbered(
    session: Session, request: RetrievalRequest, *, bureau: str, year: int
) -> RetrievalRequest:
    """Give the request the bureau's next serial of the year, retrying on a race."""
    for _attempt in range(NUMBER_ATTEMPTS):
        last = session.scalar(
            select(func.max(RetrievalRequest.serial)).where(
                RetrievalRequest.bureau_code == bureau, RetrievalRequest.year == year
            )
        )
        request.serial = int(last or 0) + 1
        request.number = f"{bureau}-{year}-{request.serial:06d}"
        try:
            with session.begin_nested():
                session.add(request)
                session.flush()
            return request
        except IntegrityError:
            continue
    raise Conflict("could not number the request (too many at once); try again")


def create_request(
    session: Session, *, principal: Principal, data: RequestCreate, now: dt.datetime | None = None
) -> RetrievalRequest:
    """File a request (Art. 18). Police name cameras in their reach; the number is the
    requester's bureau's (``360102-2026-000123``)."""
    principal.reach(Resource.CUSTODY_REQUEST, Action.CREATE)
    moment = now or utcnow()
    _check_times(data, moment)
    _department(session, principal, data)
    bureau = principal.jurisdiction_code
    if bureau is None or session.get(Jurisdiction, bureau) is None:
        raise InvalidInput("your account has no jurisdiction: requests are numbered by bureau")
    found = {s.camera_id: _camera_for(session, principal, s.camera_id) for s in data.scopes}
    request = RetrievalRequest(
        bureau_code=bureau,
        year=moment.astimezone(CHINA_TZ).year,
        requester_id=principal.user_id,
        department_kind=data.department_kind,
        department_name=data.department_name,
        legal_basis=data.legal_basis,
        case_number=data.case_number,
        purpose=data.purpose,
        actions=sorted({a.value for a in data.actions}),
        valid_from=data.valid_from,
        valid_until=data.valid_until,
        state=RequestState.REQUESTED,
        created_at=moment,
    )
    _numbered(session, request, bureau=bureau, year=request.year)
    for scope in data.scopes:
        session.add(
            RequestScope(
                request_id=request.id,
                camera_id=scope.camera_id,
                jurisdiction_code=found[scope.camera_id].jurisdiction_code,
                start_at=scope.start,
                end_at=scope.end,
            )
        )
    session.flush()
    acts.log(
        session,
        Act.REQUEST_CREATED,
        at=moment,
        request=request.id,
        number=request.number,
        requester=principal.user_id,
        department=str(request.department_kind),
        actions=request.actions,
        valid_from=request.valid_from,
        valid_until=request.valid_until,
        scopes=[
            {"camera": s.camera_id, "start": s.start, "end": s.end}
            for s in sorted(data.scopes, key=lambda s: (s.camera_id, s.start))
        ],
        facts_sha256=facts_digest(request),
    )
    return request


def facts_digest(request: RetrievalRequest) -> str:
    """The request's text facts, hashed for the ledger (see :mod:`psvis.custody.acts`)."""
    return acts.digest(
        {
            "number": request.number,
            "department_kind": str(request.department_kind),
            "department_name": request.department_name,
            "legal_basis": request.legal_basis,
            "case_number": request.case_number,
            "purpose": request.purpose,
        }
    )


# --- the chief's decision -------------------------------------------------------------------


def _chief_facts(session: Session, principal: Principal) -> tuple[str | None, frozenset[str]]:
    level = None
    if principal.jurisdiction_code is not None:
        node = session.get(Jurisdiction, principal.jurisdiction_code)
        level = node.level if node is not None else None
    return level, principal.covered_codes


def decide_check(
    session: Session, *, principal: Principal, request: RetrievalRequest, now: dt.datetime
) -> Decision:
    """:func:`psvis.custody.rules.may_approve` with the facts from the database."""
    level, covers = _chief_facts(session, principal)
    codes = session.scalars(
        select(RequestScope.jurisdiction_code).where(RequestScope.request_id == request.id)
    )
    return rules.may_approve(
        state=state_at(request, now),
        department_kind=request.department_kind,
        legal_basis=request.legal_basis,
        requester_id=request.requester_id,
        approver_id=principal.user_id,
        approver_role=principal.role,
        approver_level=level,
        approver_covers=covers,
        camera_codes=list(codes),
    )


def _decidable(
    session: Session, *, principal: Principal, request_id: int, now: dt.datetime
) -> RetrievalRequest:
    principal.reach(Resource.CUSTODY_REQUEST, Action.APPROVE)
    request = get_request(session, principal=principal, request_id=request_id)
    decision = decide_check(session, principal=principal, request=request, now=now)
    if not decision.ok:
        raise refusal(decision, forbidden=decision.rule != "art18_pending")
    return request


def approve(
    session: Session,
    *,
    principal: Principal,
    request_id: int,
    document_number: str,
    scan: bytes,
    data_dir: Path,
    now: dt.datetime | None = None,
) -> Approval:
    """Approve (Art. 18) with the approval document's number and its scan, and place the
    legal hold on every approved interval (retention cannot expire it while the case is
    open; :func:`release_hold` ends it)."""
    moment = now or utcnow()
    number = document_number.strip()
    if not number or len(number) > 64:
        raise InvalidInput("the approval document number is required (at most 64 characters)")
    scans.media_type_of(scan)  # refuse a bad scan before deciding anything
    request = _decidable(session, principal=principal, request_id=request_id, now=moment)
    stored = scans.store(data_dir, scan)
    approval = Approval(
        request_id=request.id,
        chief_id=principal.user_id,
        approved=True,
        decided_at=moment,
        document_number=number,
        scan_sha256=stored.sha256,
        scan_size_bytes=stored.size_bytes,
        scan_media_type=stored.media_type,
    )
    session.add(approval)
    request.state = RequestState.APPROVED
    session.flush()
    acts.log(
        session,
        Act.REQUEST_APPROVED,
        at=moment,
        request=request.id,
        number=request.number,
        chief=principal.user_id,
        document=number,
        scan_sha256=stored.sha256,
        scan_size=stored.size_bytes,
    )
    _place_holds(session, request=request, now=moment)
    return approval


def reject(
    session: Session,
    *,
    principal: Principal,
    request_id: int,
    reason: str,
    now: dt.datetime | None = None,
) -> Approval:
    """Reject with a reason (Art. 18): the same chief rule as approving."""
    moment = now or utcnow()
    text = reason.strip()
    if not text or len(text) > 1000:
        raise InvalidInput("a rejection needs its reason (at most 1000 characters)")
    request = _decidable(session, principal=principal, request_id=request_id, now=moment)
    approval = Approval(
        request_id=request.id,
        chief_id=principal.user_id,
        approved=False,
        decided_at=moment,
        reason=text,
    )
    session.add(approval)
    request.state = RequestState.REJECTED
    session.flush()
    acts.log(
        session,
        Act.REQUEST_REJECTED,
        at=moment,
        request=request.id,
        number=request.number,
        chief=principal.user_id,
        reason_sha256=acts.digest({"reason": text}),
    )
    return approval


# --- legal hold -------------------------------------------------------------------------------


def _place_holds(session: Session, *, request: RetrievalRequest, now: dt.datetime) -> None:
    placed = []
    for scope in scopes_of(session, request_id=request.id):
        hold = LegalHold(
            camera_id=scope.camera_id,
            start_at=scope.start_at,
            end_at=scope.end_at,
            reason=request.number,
            placed_at=now,
        )
        session.add(hold)
        placed.append(hold)
    session.flush()
    acts.log(
        session,
        Act.HOLD_PLACED,
        at=now,
        request=request.id,
        number=request.number,
        holds=[
            {"id": h.id, "camera": h.camera_id, "start": h.start_at, "end": h.end_at}
            for h in placed
        ],
    )


def release_hold(
    session: Session,
    *,
    principal: Principal,
    request_id: int,
    reason: str,
    now: dt.datetime | None = None,
) -> list[LegalHold]:
    """Release the request's legal hold: an approval in its own right (the chief rule of
    Art. 18 — county level or above, every camera covered, not the requester), logged.
    Retention may then expire the footage once its window has passed (Art. 17(4))."""
    moment = now or utcnow()
    text = reason.strip()
    if not text or len(text) > 500:
        raise InvalidInput("releasing a hold needs its reason (at most 500 characters)")
    principal.reach(Resource.CUSTODY_REQUEST, Action.APPROVE)
    request = get_request(session, principal=principal, request_id=request_id)
    holds = unreleased_holds(session, request=request)
    level, covers = _chief_facts(session, principal)
    codes = session.scalars(
        select(RequestScope.jurisdiction_code).where(RequestScope.request_id == request.id)
    )
    decision = rules.may_release_hold(
        held=bool(holds),
        department_kind=request.department_kind,
        legal_basis=request.legal_basis,
        requester_id=request.requester_id,
        approver_id=principal.user_id,
        approver_role=principal.role,
        approver_level=level,
        approver_covers=covers,
        camera_codes=list(codes),
    )
    if not decision.ok:
        raise refusal(decision, forbidden=decision.rule != "art18_hold_placed")
    for hold in holds:
        hold.released_at = moment
    session.flush()
    acts.log(
        session,
        Act.HOLD_RELEASED,
        at=moment,
        request=request.id,
        number=request.number,
        chief=principal.user_id,
        holds=[h.id for h in holds],
        reason=text,
    )
    return holds


# --- the end of a request ---------------------------------------------------------------


def close_request(
    session: Session, *, principal: Principal, request_id: int, now: dt.datetime | None = None
) -> RetrievalRequest:
    """End a request early (the requester, or a chief who may decide on it): no new
    session opens, open sessions close. Its legal hold stays until released."""
    moment = now or utcnow()
    principal.reach(Resource.CUSTODY_REQUEST, Action.UPDATE)
    request = get_request(session, principal=principal, request_id=request_id)
    if request.requester_id != principal.user_id:
        level, covers = _chief_facts(session, principal)
        codes = set(
            session.scalars(
                select(RequestScope.jurisdiction_code).where(RequestScope.request_id == request.id)
            )
        )
        chief = principal.role is Role.CHIEF and level in rules.COUNTY_OR_ABOVE
        if not (chief and codes <= covers):
            raise Forbidden("only the requester or a chief over its cameras closes a request")
    if state_at(request, moment) not in (RequestState.REQUESTED, RequestState.APPROVED):
        raise Conflict(f"the request is {state_at(request, moment).value}: nothing to close")
    request.state = RequestState.CLOSED
    request.closed_at = moment
    open_ids = list(
        session.scalars(
            select(ExecutionSession.id).where(
                ExecutionSession.request_id == request.id, ExecutionSession.closed_at.is_(None)
            )
        )
    )
    session.flush()
    acts.log(
        session,
        Act.REQUEST_CLOSED,
        at=moment,
        request=request.id,
        number=request.number,
        by=principal.user_id,
        sessions_closed=open_ids,
    )
    if open_ids:
        from psvis.custody import sessions  # a request closes its sessions with it

        for session_id in open_ids:
            sessions.close(session, session_id=session_id, by=principal.user_id, now=moment)
    return request


def expire_due(session: Session, *, now: dt.datetime | None = None) -> int:
    """Mark approved requests past their validity expired, each with its ledger entry.
    (Reading needs no sweep — :func:`state_at` already reads them expired.)"""
    moment = now or utcnow()
    due = list(
        session.scalars(
            select(RetrievalRequest).where(
                RetrievalRequest.state == RequestState.APPROVED,
                RetrievalRequest.valid_until <= moment,
            )
        )
    )
    for request in due:
        request.state = RequestState.EXPIRED
        acts.log(
            session,
            Act.REQUEST_EXPIRED,
            at=moment,
            request=request.id,
            number=request.number,
            valid_until=request.valid_until,
        )
    if due:
        from psvis.custody import sessions  # an expired request's sessions close with it

        session.flush()
        open_ids = session.scalars(
            select(ExecutionSession.id).where(
                ExecutionSession.request_id.in_([r.id for r in due]),
                ExecutionSession.closed_at.is_(None),
            )
        )
        for session_id in list(open_ids):
            sessions.close(session, session_id=session_id, by=None, now=moment)
    return len(due)
