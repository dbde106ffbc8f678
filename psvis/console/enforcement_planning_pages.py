"""Planning in the console (Art. 7, 8): a map of the planned points (field-of-view wedges
drawn with the console's SVG helpers, duplicates in red) with the existing cameras
around them, the points with their duplicate-coverage result, the form to add one
(usable on a tablet: one column below 700 px), and the mandatory sites lacking an
entrance, passage or key-spot camera.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from psvis.auth.policy import Action, Resource
from psvis.console import mapsvg
from psvis.console.context import ConsoleCtx, Ctx
from psvis.console.enforcement_pages import PREFIX, _validation_text
from psvis.console.params import DEFAULT_LIMIT, Limit, Offset, Pager
from psvis.console.route import ConsoleRoute
from psvis.core.errors import PsvisError
from psvis.enforcement import planning, planning_service
from psvis.enforcement.planning_models import PlannedPoint
from psvis.enforcement.planning_schemas import PointCreate
from psvis.registry.enums import CameraRole

router: APIRouter = APIRouter(route_class=ConsoleRoute)
BASE = f"{PREFIX}/planning"
Field = Annotated[str, Form(max_length=200)]
FIELDS = ("site_id", "name", "role", "lat", "lon", "azimuth_deg", "fov_deg", "range_m")


@dataclass(frozen=True, slots=True)
class Wedge:
    path: str
    x: float
    y: float
    kind: str  # "planned", "duplicate" or "camera"
    label: str


def _wedges(ctx: Ctx, points: list[PlannedPoint]) -> tuple[list[Wedge], mapsvg.Projection]:
    """The points' wedges and the existing cameras that could overlap them."""
    cameras: dict[int, planning.View] = {}
    for p in points:
        for view in planning_service.existing_views(ctx.session, planning_service.view_of(p)):
            if view.id is not None:
                cameras[view.id] = view
    views = [planning_service.view_of(p) for p in points] + list(cameras.values())
    proj = mapsvg.fit([(v.lon, v.lat) for v in views])
    out = []
    for view, kind, label in [
        *((cam, "camera", f"#{cam_id}") for cam_id, cam in sorted(cameras.items())),
        *(
            (planning_service.view_of(p), "duplicate" if p.duplicate else "planned", p.name)
            for p in points
        ),
    ]:
        x, y = proj.xy(view.lon, view.lat)
        radius = max(4.0, proj.metres_to_px(view.range_m))
        out.append(
            Wedge(
                mapsvg.wedge_path(x, y, view.azimuth_deg, view.fov_deg, radius), x, y, kind, label
            )
        )
    return out, proj


def _page(
    ctx: Ctx,
    *,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
    values: dict[str, str] | None = None,
    error: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    ctx.require(Resource.PLANNING)
    points, total = planning_service.list_points(
        ctx.session, principal=ctx.principal, limit=limit, offset=offset
    )
    gaps, gap_total = planning_service.gaps(ctx.session, principal=ctx.principal, limit=100)
    wedges, proj = _wedges(ctx, points)
    return ctx.render(
        "enforcement/planning.html",
        status_code=status_code,
        points=points,
        pager=Pager(limit, offset, total),
        gaps=gaps,
        gap_total=gap_total,
        wedges=wedges,
        map_width=proj.width,
        map_height=proj.height,
        roles=list(CameraRole),
        values=dict.fromkeys(FIELDS, "")
        | (values or {"fov_deg": "90", "range_m": "30", "role": "entrance"}),
        error=error,
        may_plan=ctx.principal.may(Resource.PLANNING, Action.CREATE),
    )


@router.get(BASE)
def planning_page(
    ctx: ConsoleCtx, limit: Limit = DEFAULT_LIMIT, offset: Offset = 0
) -> HTMLResponse:
    return _page(ctx, limit=limit, offset=offset)


@router.post(BASE)
def add_point(
    ctx: ConsoleCtx,
    csrf_token: Field = "",
    site_id: Field = "",
    name: Field = "",
    role: Field = "",
    lat: Field = "",
    lon: Field = "",
    azimuth_deg: Field = "",
    fov_deg: Field = "",
    range_m: Field = "",
) -> Response:
    ctx.check_csrf(csrf_token)
    values = dict(
        zip(FIELDS, (site_id, name, role, lat, lon, azimuth_deg, fov_deg, range_m), strict=True)
    )
    try:
        data = PointCreate.model_validate({k: v for k, v in values.items() if v.strip()})
        point = planning_service.plan_point(ctx.session, principal=ctx.principal, data=data)
        ctx.session.commit()
    except ValidationError as exc:
        ctx.session.rollback()
        return _page(ctx, values=values, error=_validation_text(exc), status_code=422)
    except PsvisError as exc:
        ctx.session.rollback()
        return _page(ctx, values=values, error=exc.message, status_code=exc.status_code)
    return RedirectResponse(f"{BASE}#point-{point.id}", status_code=303)
