"""Health API (Art. 16, 17(3)), mounted at ``/api/v1/health``: camera health and its
diagnoses with thumbnails, uptime, roll-ups, baseline capture, fault tickets. Thin:
parse, authorise (the policy table), call the service."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from psvis.api.deps import CurrentPrincipal, DbSession, ObjectId, State, permission
from psvis.auth.policy import Action, Resource
from psvis.core.schemas import Page
from psvis.core.timeutil import CHINA_TZ, utcnow
from psvis.health import liveness, scope, service, tickets
from psvis.health.diagnosis import capture_baseline, run_diagnosis
from psvis.health.enums import LivenessState, TicketCause
from psvis.health.models import HealthDiagnosis, Ticket
from psvis.health.schemas import (
    BaselineRead,
    CameraHealthRead,
    DiagnosisRead,
    RepairReport,
    RollupRead,
    TicketRead,
    UptimeRead,
)

router = APIRouter(prefix="/health", tags=["health"])

Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
Code = Annotated[str | None, Query(pattern=r"^\d{6}$")]
#: A China civil day, bounded so nothing overflows a date on either backend.
Day = Annotated[dt.date | None, Query(ge=dt.date(2000, 1, 1), le=dt.date(2200, 1, 1))]


def _diagnosis(row: HealthDiagnosis) -> DiagnosisRead:
    body = DiagnosisRead.model_validate(row)
    body.has_thumbnail = row.thumbnail_jpeg is not None
    return body


@router.get(
    "/cameras", response_model=Page[CameraHealthRead], **permission(Resource.HEALTH, Action.READ)
)
def list_cameras(
    session: DbSession,
    principal: CurrentPrincipal,
    state: State,
    liveness_state: Annotated[LivenessState | None, Query(alias="state")] = None,
    jurisdiction_code: Code = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[CameraHealthRead]:
    """Every camera in scope with its liveness state."""
    rows = liveness.camera_states(
        session,
        visible=scope.cameras(principal),
        thresholds=liveness.Thresholds.of(state.settings),
    )
    if liveness_state is not None:
        rows = [r for r in rows if r.state is liveness_state]
    if jurisdiction_code:
        rows = [r for r in rows if r.jurisdiction_code == jurisdiction_code]
    items = [
        CameraHealthRead.model_validate(r, from_attributes=True)
        for r in rows[offset : offset + limit]
    ]
    return Page(items=items, total=len(rows), limit=limit, offset=offset)


@router.get(
    "/cameras/{camera_id}",
    response_model=CameraHealthRead,
    **permission(Resource.HEALTH, Action.READ),
)
def camera_health(
    session: DbSession, principal: CurrentPrincipal, state: State, camera_id: ObjectId
) -> CameraHealthRead:
    live, health, baseline = service.camera_state(
        session, principal=principal, camera_id=camera_id, settings=state.settings
    )
    body = CameraHealthRead.model_validate(live, from_attributes=True)
    if health is not None:
        body.fault_classes = list(health.fault_classes)
        body.last_diagnosis_id = health.last_diagnosis_id
        body.last_diagnosed_at = health.last_diagnosed_at
    body.baseline = BaselineRead.model_validate(baseline) if baseline else None
    return body


@router.get(
    "/cameras/{camera_id}/diagnoses",
    response_model=Page[DiagnosisRead],
    **permission(Resource.HEALTH, Action.READ),
)
def camera_diagnoses(
    session: DbSession,
    principal: CurrentPrincipal,
    camera_id: ObjectId,
    faulty: bool | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[DiagnosisRead]:
    rows, total = service.diagnoses(
        session, principal=principal, camera_id=camera_id, faulty=faulty, limit=limit, offset=offset
    )
    return Page(items=[_diagnosis(r) for r in rows], total=total, limit=limit, offset=offset)


@router.get(
    "/diagnoses/{diagnosis_id}/thumbnail.jpg",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}}}},
    **permission(Resource.HEALTH, Action.READ),
)
def diagnosis_thumbnail(
    session: DbSession, principal: CurrentPrincipal, diagnosis_id: ObjectId
) -> Response:
    """The keyframe kept as evidence with a diagnosis."""
    data = service.thumbnail(session, principal=principal, diagnosis_id=diagnosis_id)
    return Response(data, media_type="image/jpeg", headers={"Cache-Control": "private, no-store"})


@router.get(
    "/cameras/{camera_id}/uptime",
    response_model=UptimeRead,
    **permission(Resource.HEALTH, Action.READ),
)
def camera_uptime(
    session: DbSession,
    principal: CurrentPrincipal,
    state: State,
    camera_id: ObjectId,
    day: Day = None,
) -> UptimeRead:
    """Uptime of a China civil day (default today), up to now."""
    the_day = day or utcnow().astimezone(CHINA_TZ).date()
    up = service.uptime(
        session, principal=principal, camera_id=camera_id, day=the_day, settings=state.settings
    )
    return UptimeRead(
        camera_id=up.camera_id,
        day=up.day,
        recorded_ms=up.recorded_ms,
        window_ms=up.window_ms,
        outage_ms=up.outage_ms,
        percent=up.percent,
    )


@router.post(
    "/cameras/{camera_id}/baseline",
    response_model=BaselineRead,
    status_code=201,
    **permission(Resource.HEALTH, Action.UPDATE),
)
def capture(
    session: DbSession, principal: CurrentPrincipal, state: State, camera_id: ObjectId
) -> BaselineRead:
    """Capture the camera's baseline from its newest clean segment (at acceptance)."""
    service.camera_in_scope(session, principal=principal, camera_id=camera_id, action=Action.UPDATE)
    row = capture_baseline(
        session, camera_id=camera_id, thresholds=state.settings.vqd(), principal=principal
    )
    return BaselineRead.model_validate(row)


@router.post(
    "/cameras/{camera_id}/diagnose",
    response_model=DiagnosisRead | None,
    **permission(Resource.HEALTH, Action.RUN),
)
def diagnose_now(
    session: DbSession, principal: CurrentPrincipal, state: State, camera_id: ObjectId
) -> DiagnosisRead | None:
    """Diagnose the newest segment now (None: the camera has no segment). Tickets are
    opened and closed as by the chore."""
    service.camera_in_scope(session, principal=principal, camera_id=camera_id, action=Action.RUN)
    settings = state.settings
    outcome = run_diagnosis(
        session,
        camera_id=camera_id,
        thresholds=settings.vqd(),
        keyframes=settings.vqd_keyframes,
        force=True,
    )
    if outcome is None:
        return None
    health = service.camera_health_row(session, camera_id=camera_id)
    tickets.after_diagnosis(
        session,
        diagnosis=outcome.row,
        segment=outcome.segment,
        streaks=dict(health.streaks),
        threshold=settings.ticket_fault_diagnoses,
        deadline=dt.timedelta(hours=settings.repair_deadline_hours),
        now=outcome.row.diagnosed_at,
    )
    return _diagnosis(outcome.row)


@router.get("/rollups", response_model=list[RollupRead], **permission(Resource.HEALTH, Action.READ))
def rollups(
    session: DbSession,
    principal: CurrentPrincipal,
    state: State,
    by: Literal["system", "unit", "jurisdiction", "all"] = "jurisdiction",
    day: Day = None,
) -> list[RollupRead]:
    """Liveness counts and the day's stored uptime per system, user unit or jurisdiction."""
    groups = service.rollups(session, principal=principal, by=by, settings=state.settings, day=day)
    return [
        RollupRead(
            key=str(g.key),
            cameras=g.cameras,
            monitored=g.monitored,
            states=g.states,
            online_percent=g.online_percent,
            recorded_ms=g.recorded_ms,
            window_ms=g.window_ms,
            uptime_percent=g.uptime_percent,
        )
        for g in groups
    ]


# --- tickets ---------------------------------------------------------------------------------


@router.get("/tickets", response_model=Page[TicketRead], **permission(Resource.TICKET, Action.READ))
def list_tickets(
    session: DbSession,
    principal: CurrentPrincipal,
    live: bool | None = None,
    overdue: bool | None = None,
    cause: TicketCause | None = None,
    camera_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
    jurisdiction_code: Code = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[TicketRead]:
    rows, total = tickets.list_tickets(
        session,
        principal=principal,
        live=live,
        overdue=overdue,
        cause=cause,
        camera_id=camera_id,
        jurisdiction_code=jurisdiction_code,
        limit=limit,
        offset=offset,
    )
    return Page(
        items=[TicketRead.model_validate(t) for t in rows], total=total, limit=limit, offset=offset
    )


@router.get(
    "/tickets/{ticket_id}", response_model=TicketRead, **permission(Resource.TICKET, Action.READ)
)
def get_ticket(session: DbSession, principal: CurrentPrincipal, ticket_id: ObjectId) -> Ticket:
    return tickets.get_ticket(session, principal=principal, ticket_id=ticket_id)


@router.post(
    "/tickets/{ticket_id}/acknowledge",
    response_model=TicketRead,
    **permission(Resource.TICKET, Action.UPDATE),
)
def acknowledge(session: DbSession, principal: CurrentPrincipal, ticket_id: ObjectId) -> Ticket:
    return tickets.acknowledge(session, principal=principal, ticket_id=ticket_id)


@router.post(
    "/tickets/{ticket_id}/repair",
    response_model=TicketRead,
    **permission(Resource.TICKET, Action.UPDATE),
)
def report_repair(
    session: DbSession, principal: CurrentPrincipal, ticket_id: ObjectId, body: RepairReport
) -> Ticket:
    """Report the repair. The ticket stays open until a diagnosis verifies it."""
    return tickets.report_repair(session, principal=principal, ticket_id=ticket_id, note=body.note)
