"""Health in the console (Art. 16, 17(3), 10, 20(1)): the dashboard of the viewer's
jurisdiction (online %, faults by class, open and overdue tickets), a camera's health
history with its thumbnails, and the ticket list a maintainer works from.

Thin: the scoped services decide what a viewer sees (:mod:`psvis.health.scope`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select

from psvis.api.deps import ObjectId
from psvis.auth.policy import Action, Resource
from psvis.console.context import ConsoleCtx, Ctx
from psvis.console.params import DEFAULT_LIMIT, Choice, Limit, Offset, Pager, code_or_none
from psvis.console.route import ConsoleRoute
from psvis.core.config import Settings
from psvis.core.errors import InvalidInput, PsvisError
from psvis.core.timeutil import CHINA_TZ, utcnow
from psvis.health import liveness, scope, service, tickets
from psvis.health.enums import LivenessState, TicketCause
from psvis.health.models import CameraHealth, Ticket
from psvis.health.vqd import FaultClass
from psvis.registry.models import Camera, Unit

router = APIRouter(route_class=ConsoleRoute)

PREFIX = "/health"
Field = Annotated[str, Form(max_length=200)]
Note = Annotated[str, Form(max_length=500)]


def _settings(ctx: Ctx) -> Settings:
    settings: Settings = ctx.request.app.state.psvis.settings
    return settings


def china(moment: dt.datetime | None) -> str:
    return moment.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M") if moment else "—"


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def _faults_by_class(ctx: Ctx) -> list[tuple[str, int]]:
    """Current faults (newest diagnosis of each camera in scope), per class."""
    counts: Counter[str] = Counter()
    rows = ctx.session.scalars(
        select(CameraHealth.fault_classes)
        .join(Camera, Camera.id == CameraHealth.camera_id)
        .where(scope.cameras(ctx.principal))
    )
    for classes in rows:
        counts.update(classes)
    return [(c.value, counts.get(c.value, 0)) for c in FaultClass]


def _ticket_counts(ctx: Ctx) -> tuple[int, int]:
    if not ctx.principal.may(Resource.TICKET, Action.READ):
        return 0, 0
    visible = scope.tickets(ctx.principal)
    live = ctx.session.scalar(
        select(func.count()).select_from(Ticket).where(visible, Ticket.state.in_(tickets.LIVE))
    )
    overdue = ctx.session.scalar(
        select(func.count())
        .select_from(Ticket)
        .where(visible, Ticket.state.in_(tickets.LIVE), Ticket.overdue.is_(True))
    )
    return int(live or 0), int(overdue or 0)


@router.get(PREFIX)
def dashboard(ctx: ConsoleCtx, jurisdiction: Choice = "") -> HTMLResponse:
    ctx.require(Resource.HEALTH)
    code = code_or_none(jurisdiction)
    settings = _settings(ctx)
    thresholds = liveness.Thresholds.of(settings)
    visible = scope.cameras(ctx.principal)
    if code:
        visible = visible & (Camera.jurisdiction_code == code)
    groups = liveness.rollup(ctx.session, visible=visible, by="jurisdiction", thresholds=thresholds)
    total = liveness.Rollup(key="all")
    for g in groups:
        total.cameras += g.cameras
        total.recorded_ms += g.recorded_ms
        total.window_ms += g.window_ms
        for k, v in g.states.items():
            total.states[k] += v
    live, overdue = _ticket_counts(ctx)
    faulty = ctx.session.execute(
        select(Camera.id, Camera.name, CameraHealth.fault_classes, CameraHealth.last_diagnosed_at)
        .join(CameraHealth, CameraHealth.camera_id == Camera.id)
        .where(visible, func.coalesce(CameraHealth.last_diagnosis_id, 0) > 0)
        .order_by(CameraHealth.last_diagnosed_at.desc())
        .limit(200)
    ).all()
    return ctx.render(
        "health/dashboard.html",
        total=total,
        groups=groups,
        pct=_percent,
        faults=_faults_by_class(ctx),
        tickets_live=live,
        tickets_overdue=overdue,
        tickets_readable=ctx.principal.may(Resource.TICKET, Action.READ),
        faulty=[
            {"id": r[0], "name": r[1], "classes": r[2], "when": china(r[3])} for r in faulty if r[2]
        ][:50],
        f={"jurisdiction": jurisdiction},
        states=[s.value for s in LivenessState],
    )


@router.get(PREFIX + "/cameras/{camera_id}")
def camera_page(
    ctx: ConsoleCtx, camera_id: ObjectId, limit: Limit = 20, offset: Offset = 0
) -> HTMLResponse:
    ctx.require(Resource.HEALTH)
    settings = _settings(ctx)
    state, health, baseline = service.camera_state(
        ctx.session, principal=ctx.principal, camera_id=camera_id, settings=settings
    )
    rows, total = service.diagnoses(
        ctx.session, principal=ctx.principal, camera_id=camera_id, limit=limit, offset=offset
    )
    today = utcnow().astimezone(CHINA_TZ).date()
    up = service.uptime(
        ctx.session, principal=ctx.principal, camera_id=camera_id, day=today, settings=settings
    )
    camera_tickets: list[Ticket] = []
    if ctx.principal.may(Resource.TICKET, Action.READ):
        camera_tickets, _n = tickets.list_tickets(
            ctx.session, principal=ctx.principal, camera_id=camera_id, limit=20
        )
    return ctx.render(
        "health/camera.html",
        state=state,
        health=health,
        baseline=baseline,
        baseline_at=china(baseline.captured_at) if baseline else "",
        uptime=_percent(up.percent),
        diagnoses=[
            {
                "id": d.id,
                "when": china(d.diagnosed_at),
                "good": d.good,
                "classes": d.fault_classes,
                "reference": d.reference,
                "baseline_id": d.baseline_id,
                "segment_id": d.segment_id,
                "thumb": d.thumbnail_jpeg is not None,
                "metrics": ", ".join(
                    f"{k}={v:.2f}"
                    for k, v in sorted(d.metrics.items())
                    if not k.endswith("_frames")
                ),
            }
            for d in rows
        ],
        tickets=[_ticket_view(t) for t in camera_tickets],
        pager=Pager(limit, offset, total),
        last_end=china(state.last_segment_end),
    )


def _ticket_view(t: Ticket) -> dict[str, Any]:
    return {
        "id": t.id,
        "camera_id": t.camera_id,
        "cause": t.cause.value,
        "state": t.state.value,
        "overdue": t.overdue,
        "opened": china(t.opened_at),
        "due": china(t.due_at),
        "since": china(t.fault_since),
        "acknowledged": china(t.acknowledged_at),
        "reported": china(t.repair_reported_at),
        "verified": china(t.verified_at),
        "note": t.repair_note,
        "maintainer_unit_id": t.maintainer_unit_id,
        "opening_diagnosis_id": t.opening_diagnosis_id,
        "verifying_diagnosis_id": t.verifying_diagnosis_id,
    }


def _flag(raw: str, what: str) -> bool | None:
    if raw == "":
        return None
    if raw in ("1", "0"):
        return raw == "1"
    raise InvalidInput(f"{what} must be 1 or 0")


@router.get(PREFIX + "/tickets")
def ticket_list(
    ctx: ConsoleCtx,
    live: Choice = "1",
    overdue: Choice = "",
    cause: Choice = "",
    jurisdiction: Choice = "",
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> HTMLResponse:
    ctx.require(Resource.TICKET)
    try:
        the_cause = TicketCause(cause) if cause else None
    except ValueError as exc:
        raise InvalidInput(f"unknown cause {cause[:32]!r}") from exc
    rows, total = tickets.list_tickets(
        ctx.session,
        principal=ctx.principal,
        live=_flag(live, "live"),
        overdue=_flag(overdue, "overdue"),
        cause=the_cause,
        jurisdiction_code=code_or_none(jurisdiction),
        limit=limit,
        offset=offset,
    )
    names = dict(
        ctx.session.execute(
            select(Camera.id, Camera.name).where(Camera.id.in_({t.camera_id for t in rows}))
        ).all()
    )
    units = dict(
        ctx.session.execute(
            select(Unit.id, Unit.name).where(Unit.id.in_({t.maintainer_unit_id for t in rows}))
        ).all()
    )
    return ctx.render(
        "health/tickets.html",
        rows=[_ticket_view(t) for t in rows],
        names=names,
        units=units,
        pager=Pager(limit, offset, total),
        f={"live": live, "overdue": overdue, "cause": cause, "jurisdiction": jurisdiction},
        causes=[c.value for c in TicketCause],
    )


def render_ticket(
    ctx: Ctx, ticket_id: int, *, error: str = "", status_code: int = 200
) -> HTMLResponse:
    ticket = tickets.get_ticket(ctx.session, principal=ctx.principal, ticket_id=ticket_id)
    camera = ctx.session.get(Camera, ticket.camera_id)
    unit = ctx.session.get(Unit, ticket.maintainer_unit_id)
    may_work = ctx.principal.may(Resource.TICKET, Action.UPDATE) and bool(
        ctx.session.scalar(
            select(Ticket.id).where(
                Ticket.id == ticket_id, scope.tickets(ctx.principal, Action.UPDATE)
            )
        )
    )
    return ctx.render(
        "health/ticket.html",
        status_code=status_code,
        t_=_ticket_view(ticket),
        camera_name=camera.name if camera else "",
        maintainer=unit.name if unit else "",
        may_work=may_work,
        error=error,
    )


@router.get(PREFIX + "/tickets/{ticket_id}")
def ticket_page(ctx: ConsoleCtx, ticket_id: ObjectId) -> HTMLResponse:
    ctx.require(Resource.TICKET)
    return render_ticket(ctx, ticket_id)


@router.post(PREFIX + "/tickets/{ticket_id}/acknowledge")
def post_acknowledge(ctx: ConsoleCtx, ticket_id: ObjectId, csrf_token: Field = "") -> Response:
    ctx.check_csrf(csrf_token)
    try:
        tickets.acknowledge(ctx.session, principal=ctx.principal, ticket_id=ticket_id)
    except PsvisError as exc:
        if exc.status_code == 404:
            raise
        return render_ticket(ctx, ticket_id, error=exc.message, status_code=exc.status_code)
    return RedirectResponse(f"{PREFIX}/tickets/{ticket_id}", status_code=303)


@router.post(PREFIX + "/tickets/{ticket_id}/repair")
def post_repair(
    ctx: ConsoleCtx, ticket_id: ObjectId, csrf_token: Field = "", note: Note = ""
) -> Response:
    ctx.check_csrf(csrf_token)
    try:
        tickets.report_repair(ctx.session, principal=ctx.principal, ticket_id=ticket_id, note=note)
    except PsvisError as exc:
        if exc.status_code == 404:
            raise
        return render_ticket(ctx, ticket_id, error=exc.message, status_code=exc.status_code)
    return RedirectResponse(f"{PREFIX}/tickets/{ticket_id}", status_code=303)
