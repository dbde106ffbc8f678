"""Systems and cameras: lists with filters and pagination, detail pages.

A camera's password is never rendered: the page says only whether one is stored.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from psvis.api.deps import ObjectId
from psvis.console.context import ConsoleCtx
from psvis.console.params import (
    DEFAULT_LIMIT,
    Choice,
    Limit,
    Offset,
    Pager,
    Text,
    code_or_none,
    enum_or_none,
    id_or_none,
)
from psvis.console.refs import site_names, system_names, unit_names
from psvis.console.route import ConsoleRoute
from psvis.registry import cameras, systems
from psvis.registry.enums import CameraRole, LifecycleState

router = APIRouter(route_class=ConsoleRoute)

RELATED_LIMIT = 100


@router.get("/systems")
def system_list(
    ctx: ConsoleCtx,
    jurisdiction: Choice = "",
    state: Choice = "",
    site: Choice = "",
    q: Text = "",
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> HTMLResponse:
    rows, total = systems.list_systems(
        ctx.session,
        principal=ctx.principal,
        jurisdiction_code=code_or_none(jurisdiction),
        state=enum_or_none(LifecycleState, state),
        site_id=id_or_none(site),
        q=q or None,
        limit=limit,
        offset=offset,
    )
    return ctx.render(
        "systems.html",
        rows=rows,
        sites=site_names(ctx.session, ctx.principal, (s.site_id for s in rows)),
        pager=Pager(limit, offset, total),
        f={"jurisdiction": jurisdiction, "state": state, "q": q, "site": site},
        states=list(LifecycleState),
    )


@router.get("/systems/{system_id}")
def system_detail(ctx: ConsoleCtx, system_id: ObjectId) -> HTMLResponse:
    system = systems.get_system(ctx.session, principal=ctx.principal, system_id=system_id)
    system_cameras, camera_total = cameras.list_cameras(
        ctx.session, principal=ctx.principal, system_id=system.id, limit=RELATED_LIMIT
    )
    unit_ids = (system.builder_unit_id, system.user_unit_id, system.maintainer_unit_id)
    return ctx.render(
        "system.html",
        system=system,
        sites=site_names(ctx.session, ctx.principal, [system.site_id]),
        units=unit_names(ctx.session, ctx.principal, unit_ids),
        cameras=system_cameras,
        camera_total=camera_total,
    )


@router.get("/cameras")
def camera_list(
    ctx: ConsoleCtx,
    jurisdiction: Choice = "",
    role: Choice = "",
    system: Choice = "",
    q: Text = "",
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> HTMLResponse:
    rows, total = cameras.list_cameras(
        ctx.session,
        principal=ctx.principal,
        jurisdiction_code=code_or_none(jurisdiction),
        role=enum_or_none(CameraRole, role),
        system_id=id_or_none(system),
        q=q or None,
        limit=limit,
        offset=offset,
    )
    return ctx.render(
        "cameras.html",
        rows=rows,
        systems=system_names(ctx.session, ctx.principal, (c.system_id for c in rows)),
        pager=Pager(limit, offset, total),
        f={"jurisdiction": jurisdiction, "role": role, "q": q, "system": system},
        roles=list(CameraRole),
    )


@router.get("/cameras/{camera_id}")
def camera_detail(ctx: ConsoleCtx, camera_id: ObjectId) -> HTMLResponse:
    camera = cameras.get_camera(ctx.session, principal=ctx.principal, camera_id=camera_id)
    names = system_names(ctx.session, ctx.principal, [camera.system_id])
    site_id = None
    if camera.system_id in names:
        system = systems.get_system(
            ctx.session, principal=ctx.principal, system_id=camera.system_id
        )
        site_id = system.site_id
    return ctx.render(
        "camera.html",
        camera=camera,
        has_password=camera.has_password,
        systems=names,
        site_id=site_id,
        sites=site_names(ctx.session, ctx.principal, [site_id]),
    )
