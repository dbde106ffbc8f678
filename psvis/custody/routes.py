"""Custody API (Art. 18-19), mounted at ``/api/v1/custody``: requests, the chief's
decision (approval with the document's scan), two-officer sessions, the registration
book, one's TOTP enrolment. Thin: parse, authorise (the policy table), call the service.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Final

from fastapi import APIRouter, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from psvis.api.deps import CurrentPrincipal, DbSession, ObjectId, State, permission
from psvis.auth.policy import Action, Resource
from psvis.core.errors import InvalidInput, NotFound, PsvisError, Refused
from psvis.core.schemas import ErrorResponse, Page
from psvis.core.timeutil import utcnow
from psvis.custody import binding, scans, service, sharing
from psvis.custody.enums import RequestState
from psvis.custody.export_routes import router as export_router
from psvis.custody.models import RetrievalRequest
from psvis.custody.schemas import (
    AccessRead,
    ApprovalRead,
    RegistrationRead,
    RejectBody,
    ReleaseHoldBody,
    RequestCreate,
    RequestRead,
    ScopeRead,
    SessionOpen,
    SessionRead,
    SharingGrantCreate,
    SharingGrantRead,
    TotpEnroll,
    TotpEnrolled,
)

router = APIRouter(prefix="/custody", tags=["custody"])

#: Room for the multipart envelope and the document-number field around the scan.
MULTIPART_SLACK: Final = 64 * 1024
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]


class PayloadTooLarge(PsvisError):
    status_code = 413
    code = "payload_too_large"


class LengthRequired(PsvisError):
    status_code = 411
    code = "length_required"


def _read(session: DbSession, request: RetrievalRequest) -> RequestRead:
    body = RequestRead.model_validate(request)
    body.state = service.state_at(request, utcnow())
    body.scopes = [
        ScopeRead.model_validate(s) for s in service.scopes_of(session, request_id=request.id)
    ]
    approval = service.approval_of(session, request_id=request.id)
    body.approval = ApprovalRead.model_validate(approval) if approval else None
    body.sessions = [
        SessionRead.model_validate(s) for s in service.sessions_of(session, request_id=request.id)
    ]
    body.holds_unreleased = len(service.unreleased_holds(session, request=request))
    return body


# --- requests ---------------------------------------------------------------------------------


@router.post(
    "/requests",
    response_model=RequestRead,
    status_code=status.HTTP_201_CREATED,
    **permission(Resource.CUSTODY_REQUEST, Action.CREATE),
)
def create_request(
    session: DbSession, principal: CurrentPrincipal, body: RequestCreate
) -> RequestRead:
    """File a retrieval request (Art. 18): cameras × time range, actions, validity."""
    return _read(session, service.create_request(session, principal=principal, data=body))


@router.get(
    "/requests",
    response_model=Page[RequestRead],
    **permission(Resource.CUSTODY_REQUEST, Action.READ),
)
def list_requests(
    session: DbSession,
    principal: CurrentPrincipal,
    state: RequestState | None = None,
    awaiting_me: Annotated[
        bool, Query(description="A chief's queue: requests this caller may decide.")
    ] = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[RequestRead]:
    rows, total = service.list_requests(
        session,
        principal=principal,
        state=state,
        awaiting_me=awaiting_me,
        limit=limit,
        offset=offset,
    )
    return Page(items=[_read(session, r) for r in rows], total=total, limit=limit, offset=offset)


@router.get(
    "/requests/{request_id}",
    response_model=RequestRead,
    **permission(Resource.CUSTODY_REQUEST, Action.READ),
)
def get_request(
    session: DbSession, principal: CurrentPrincipal, request_id: ObjectId
) -> RequestRead:
    return _read(session, service.get_request(session, principal=principal, request_id=request_id))


APPROVE_BODY: Final[dict[str, Any]] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["document_number", "scan"],
                    "properties": {
                        "document_number": {"type": "string", "maxLength": 64},
                        "scan": {
                            "type": "string",
                            "format": "binary",
                            "description": "The signed approval document: PDF, PNG or JPEG, "
                            "≤ 10 MB (checked by content).",
                        },
                    },
                }
            }
        },
    }
}


def _with_body(declared: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    return {**declared, "openapi_extra": {**declared["openapi_extra"], **extra}}


async def _approval_form(request: Request) -> tuple[str, bytes]:
    """The document number and the scan, refusing an oversized body before reading it."""
    too_large = PayloadTooLarge(
        f"the approval scan is larger than {scans.MAX_SCAN_BYTES // (1024 * 1024)} MB",
        details={"max_bytes": scans.MAX_SCAN_BYTES},
    )
    declared = request.headers.get("content-length", "")
    if not declared.isdigit():
        raise LengthRequired("send the upload with a Content-Length header")
    if int(declared) > scans.MAX_SCAN_BYTES + MULTIPART_SLACK:
        raise too_large
    try:
        async with request.form(max_files=1, max_fields=4, max_part_size=4096) as form:
            number = form.get("document_number")
            upload = form.get("scan")
            if not isinstance(number, str):
                raise InvalidInput("send the approval document number as field 'document_number'")
            if not isinstance(upload, UploadFile):
                raise InvalidInput("send the approval document's scan as file field 'scan'")
            data = await upload.read(scans.MAX_SCAN_BYTES + 1)
    except HTTPException as exc:  # malformed multipart body
        raise InvalidInput(f"malformed upload: {exc.detail}") from exc
    if len(data) > scans.MAX_SCAN_BYTES:
        raise too_large
    return number, data


@router.post(
    "/requests/{request_id}/approve",
    response_model=RequestRead,
    responses={
        411: {"model": ErrorResponse},
        413: {"model": ErrorResponse},
        422: {"model": ErrorResponse},
    },
    **_with_body(permission(Resource.CUSTODY_REQUEST, Action.APPROVE), APPROVE_BODY),
)
async def approve(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    state: State,
    request_id: ObjectId,
) -> RequestRead:
    """Approve (Art. 18) with the approval document's number and scan; places the legal
    hold on the approved footage."""
    number, data = await _approval_form(request)

    def decide() -> RequestRead:  # database and disk work off the event loop
        service.approve(
            session,
            principal=principal,
            request_id=request_id,
            document_number=number,
            scan=data,
            data_dir=state.settings.data_dir,
        )
        found = service.get_request(session, principal=principal, request_id=request_id)
        return _read(session, found)

    return await run_in_threadpool(decide)


@router.post(
    "/requests/{request_id}/reject",
    response_model=RequestRead,
    **permission(Resource.CUSTODY_REQUEST, Action.APPROVE),
)
def reject(
    session: DbSession, principal: CurrentPrincipal, request_id: ObjectId, body: RejectBody
) -> RequestRead:
    """Reject with a reason (Art. 18)."""
    service.reject(session, principal=principal, request_id=request_id, reason=body.reason)
    return _read(session, service.get_request(session, principal=principal, request_id=request_id))


@router.post(
    "/requests/{request_id}/release-hold",
    response_model=RequestRead,
    **permission(Resource.CUSTODY_REQUEST, Action.APPROVE),
)
def release_hold(
    session: DbSession, principal: CurrentPrincipal, request_id: ObjectId, body: ReleaseHoldBody
) -> RequestRead:
    """Release the request's legal hold: a chief's approval of its own (Art. 18)."""
    service.release_hold(session, principal=principal, request_id=request_id, reason=body.reason)
    return _read(session, service.get_request(session, principal=principal, request_id=request_id))


@router.post(
    "/requests/{request_id}/close",
    response_model=RequestRead,
    **permission(Resource.CUSTODY_REQUEST, Action.UPDATE),
)
def close_request(
    session: DbSession, principal: CurrentPrincipal, request_id: ObjectId
) -> RequestRead:
    """End a request early (its requester or a chief over it); open sessions close."""
    service.close_request(session, principal=principal, request_id=request_id)
    return _read(session, service.get_request(session, principal=principal, request_id=request_id))


@router.get(
    "/requests/{request_id}/approval/scan",
    response_class=FileResponse,
    responses={200: {"content": {"application/pdf": {}, "image/png": {}, "image/jpeg": {}}}},
    **permission(Resource.CUSTODY_REQUEST, Action.READ),
)
def approval_scan(
    session: DbSession, principal: CurrentPrincipal, state: State, request_id: ObjectId
) -> FileResponse:
    """The approval document's scan, to show it (Art. 19(3))."""
    request = service.get_request(session, principal=principal, request_id=request_id)
    approval = service.approval_of(session, request_id=request.id)
    if approval is None or approval.scan_sha256 is None or approval.scan_media_type is None:
        raise NotFound(f"request {request_id} has no approval document")
    return FileResponse(
        scans.path_of(state.settings.data_dir, approval.scan_sha256),
        media_type=approval.scan_media_type,
        headers={"Content-Disposition": f'inline; filename="approval-{request.number}"'},
    )


# --- sessions ---------------------------------------------------------------------------------


@router.post(
    "/requests/{request_id}/sessions",
    response_model=SessionRead,
    status_code=status.HTTP_201_CREATED,
    responses={422: {"model": ErrorResponse}},
    **permission(Resource.CUSTODY_SESSION, Action.CREATE),
)
def open_session(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    state: State,
    request_id: ObjectId,
    body: SessionOpen,
) -> SessionRead:
    """Open an execution session (Art. 19): the caller is the first officer; the second
    authenticates here with password and TOTP. From the console, the session is bound to
    the sign-in so its video players reach the footage."""
    settings = state.settings
    try:
        row = service.open_session(
            session,
            principal=principal,
            request_id=request_id,
            officer_b_username=body.officer_b_username,
            officer_b_password=body.officer_b_password.get_secret_value(),
            officer_b_totp=body.officer_b_totp.get_secret_value(),
            box=state.box,
            lockout_threshold=settings.lockout_threshold,
            lockout_minutes=settings.lockout_minutes,
            console_token_id=binding.console_token_id(request, session),
        )
    except Refused:
        session.commit()  # the failed-attempt counter and a spent code outlive the refusal
        raise
    return SessionRead.model_validate(row)


@router.post(
    "/sessions/{session_id}/close",
    response_model=SessionRead,
    **permission(Resource.CUSTODY_SESSION, Action.UPDATE),
)
def close_session(
    session: DbSession, principal: CurrentPrincipal, session_id: ObjectId
) -> SessionRead:
    return SessionRead.model_validate(
        service.close_session(session, principal=principal, session_id=session_id)
    )


@router.get(
    "/sessions/{session_id}/accesses",
    response_model=list[AccessRead],
    **permission(Resource.CUSTODY_REQUEST, Action.READ),
)
def session_accesses(
    session: DbSession, principal: CurrentPrincipal, session_id: ObjectId
) -> list[AccessRead]:
    """Every segment viewed, copied or exported in the session."""
    row = service.get_session(session, principal=principal, session_id=session_id)
    return [AccessRead.model_validate(a) for a in service.accesses_of(session, session_id=row.id)]


# --- the registration book ----------------------------------------------------------------


@router.get(
    "/registrations",
    response_model=Page[RegistrationRead],
    **permission(Resource.CUSTODY_REGISTRATION, Action.READ),
)
def list_registrations(
    session: DbSession,
    principal: CurrentPrincipal,
    unit_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
    jurisdiction_code: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    opened_from: Annotated[dt.datetime | None, Query(description="ISO 8601 with offset")] = None,
    opened_until: Annotated[dt.datetime | None, Query(description="Exclusive.")] = None,
    request_number: Annotated[str | None, Query(max_length=32)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[RegistrationRead]:
    """The registration book (登记簿): the bureau's, or a unit's own."""
    for name, value in (("opened_from", opened_from), ("opened_until", opened_until)):
        if value is not None and value.tzinfo is None:
            raise InvalidInput(f"{name} has no UTC offset")
    rows, total = service.list_registrations(
        session,
        principal=principal,
        unit_id=unit_id,
        jurisdiction_code=jurisdiction_code,
        opened_from=opened_from,
        opened_until=opened_until,
        request_number=request_number,
        limit=limit,
        offset=offset,
    )
    items = [RegistrationRead.model_validate(r) for r in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


# --- my TOTP ------------------------------------------------------------------------------


@router.post(
    "/totp",
    response_model=TotpEnrolled,
    **permission(Resource.TOTP, Action.UPDATE),
)
def enroll_totp(
    session: DbSession, principal: CurrentPrincipal, state: State, body: TotpEnroll
) -> TotpEnrolled:
    """Enrol (or, with a current code, replace) the caller's TOTP authenticator; the URI
    is shown this once."""
    code = body.current_code.get_secret_value() if body.current_code else None
    uri = service.enroll_totp(session, principal=principal, box=state.box, current_code=code)
    return TotpEnrolled(provisioning_uri=uri)


# --- exports (psvis/custody/export_routes.py) ---------------------------------------------

router.include_router(export_router)


# --- sharing grants (Art. 14) ------------------------------------------------------------------


@router.post(
    "/sharing-grants",
    response_model=SharingGrantRead,
    status_code=status.HTTP_201_CREATED,
    **permission(Resource.SHARING_GRANT, Action.UPDATE),
)
def create_sharing_grant(
    session: DbSession, principal: CurrentPrincipal, body: SharingGrantCreate
) -> SharingGrantRead:
    """Network a government system for a bureau's police (Art. 14): they then watch its
    cameras live without a request. City administrators only."""
    row = sharing.grant(
        session,
        principal=principal,
        system_id=body.system_id,
        bureau_code=body.bureau_code,
        agreement=body.agreement,
    )
    return SharingGrantRead.model_validate(row)


@router.get(
    "/systems/{system_id}/sharing-grants",
    response_model=list[SharingGrantRead],
    **permission(Resource.SHARING_GRANT, Action.READ),
)
def list_sharing_grants(
    session: DbSession,
    principal: CurrentPrincipal,
    system_id: ObjectId,
    include_revoked: bool = False,
) -> list[SharingGrantRead]:
    """A system's sharing grants (active ones unless ``include_revoked``)."""
    rows = sharing.grants_of(
        session, principal=principal, system_id=system_id, include_revoked=include_revoked
    )
    return [SharingGrantRead.model_validate(row) for row in rows]


@router.post(
    "/sharing-grants/{grant_id}/revoke",
    response_model=SharingGrantRead,
    **permission(Resource.SHARING_GRANT, Action.UPDATE),
)
def revoke_sharing_grant(
    session: DbSession, principal: CurrentPrincipal, grant_id: ObjectId
) -> SharingGrantRead:
    """End the networking: police use of the system needs a request again (Art. 18)."""
    return SharingGrantRead.model_validate(
        sharing.revoke(session, principal=principal, grant_id=grant_id)
    )
