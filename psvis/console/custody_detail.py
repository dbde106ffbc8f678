"""A retrieval request's page: its facts and scope, the chief's decision with the
approval document, its sessions and legal hold, and the forms the viewer may use now
(decide, open a two-officer session, release the hold, close).

Which forms show is a courtesy: every form's route calls the service, which decides
again (the law lives in :mod:`psvis.custody.rules`); a refusal comes back onto this page
in the reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi.responses import HTMLResponse
from sqlalchemy import select

from psvis.auth.policy import Action, Resource
from psvis.console.context import Ctx
from psvis.console.custody_common import (
    TOTP_PAGE,
    actions_text,
    china,
    names_of,
    person,
    render,
    state_label,
)
from psvis.console.uploads import human_bytes
from psvis.core.timeutil import utcnow
from psvis.custody import requests as custody_requests
from psvis.custody import rules, scans, service
from psvis.custody.enums import DepartmentKind, RequestState
from psvis.custody.models import ExecutionSession, RetrievalRequest
from psvis.registry.models import Camera


@dataclass(frozen=True, slots=True)
class Forms:
    """The forms the viewer is offered on this request now."""

    decide: bool
    open_session: bool
    release: bool
    close: bool


def _forms(ctx: Ctx, request: RetrievalRequest, *, has_open: bool, held: bool) -> Forms:
    now = utcnow()
    state = service.state_at(request, now)
    principal = ctx.principal
    chief = principal.may(Resource.CUSTODY_REQUEST, Action.APPROVE)
    decide = (
        chief
        and custody_requests.decide_check(
            ctx.session, principal=principal, request=request, now=now
        ).ok
    )
    opening = (
        principal.may(Resource.CUSTODY_SESSION, Action.CREATE)
        and state is RequestState.APPROVED
        and rules.within(now, request.valid_from, request.valid_until)
        and not has_open
    )
    mine = request.requester_id == principal.user_id
    closing = state in (RequestState.REQUESTED, RequestState.APPROVED) and (
        (mine and principal.may(Resource.CUSTODY_REQUEST, Action.UPDATE)) or chief
    )
    return Forms(
        decide=decide,
        open_session=opening,
        release=chief and held and not mine,
        close=closing,
    )


def _scopes(ctx: Ctx, request: RetrievalRequest) -> list[dict[str, Any]]:
    rows = service.scopes_of(ctx.session, request_id=request.id)
    found = {
        c.id: c
        for c in ctx.session.scalars(
            select(Camera).where(Camera.id.in_({r.camera_id for r in rows}))
        )
    }
    readable = ctx.viewer.may_read(Resource.CAMERA)
    return [
        {
            "camera_id": r.camera_id,
            "name": found[r.camera_id].name if r.camera_id in found else f"#{r.camera_id}",
            "gb_id": found[r.camera_id].gb_id if r.camera_id in found else "",
            "link": readable and r.jurisdiction_code in ctx.principal.covered_codes,
            "jurisdiction": ctx.jname(r.jurisdiction_code),
            "start": china(r.start_at),
            "end": china(r.end_at),
        }
        for r in rows
    ]


def _sessions(ctx: Ctx, runs: list[ExecutionSession]) -> list[dict[str, Any]]:
    users = names_of(ctx.session, [i for r in runs for i in (r.officer_a_id, r.officer_b_id)])
    me = ctx.principal.user_id
    return [
        {
            "id": r.id,
            "officer_a": person(users.get(r.officer_a_id)),
            "officer_a_work_id": r.officer_a_work_id,
            "officer_b": person(users.get(r.officer_b_id)),
            "officer_b_work_id": r.officer_b_work_id,
            "opened": china(r.opened_at),
            "closed": china(r.closed_at) if r.closed_at else "",
            "mine": me in (r.officer_a_id, r.officer_b_id),
        }
        for r in runs
    ]


def render_request(
    ctx: Ctx,
    request_id: int,
    *,
    error: str = "",
    status_code: int = 200,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    """The request's page; ``error`` (already in the reader's words) above the forms,
    ``values`` re-fill a form's harmless fields (never a password or code)."""
    request = service.get_request(ctx.session, principal=ctx.principal, request_id=request_id)
    now = utcnow()
    state = service.state_at(request, now)
    approval = service.approval_of(ctx.session, request_id=request.id)
    runs = service.sessions_of(ctx.session, request_id=request.id)
    holds = service.unreleased_holds(ctx.session, request=request)
    users = names_of(ctx.session, [request.requester_id, approval.chief_id if approval else 0])
    requester = users.get(request.requester_id)
    open_run = next((r for r in runs if r.closed_at is None), None)
    return render(
        ctx,
        "custody/request.html",
        status_code=status_code,
        tab="",
        rq=request,
        state=state.value,
        state_text=state_label(state, ctx.lang),
        other=request.department_kind is DepartmentKind.OTHER,
        requester=person(requester),
        requester_work_id=requester.work_id if requester else "",
        actions=actions_text(request.actions, ctx.lang),
        valid_from=china(request.valid_from),
        valid_until=china(request.valid_until),
        created=china(request.created_at),
        closed=china(request.closed_at) if request.closed_at else "",
        scopes=_scopes(ctx, request),
        approval=approval,
        chief=person(users.get(approval.chief_id)) if approval else "",
        decided=china(approval.decided_at) if approval else "",
        scan_size=human_bytes(approval.scan_size_bytes or 0) if approval else "",
        sessions=_sessions(ctx, runs),
        open_session=open_run,
        holds=len(holds),
        forms=_forms(ctx, request, has_open=open_run is not None, held=bool(holds)),
        max_scan=human_bytes(scans.MAX_SCAN_BYTES),
        totp_page=TOTP_PAGE,
        error=error,
        values=values or {},
    )
