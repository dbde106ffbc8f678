"""/map: the cameras in the viewer's scope on an offline, server-drawn SVG."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from psvis.auth.principal import Principal
from psvis.console import mapsvg
from psvis.console.context import ConsoleCtx, Ctx
from psvis.console.params import Choice, code_or_none, enum_or_none, id_or_none
from psvis.console.route import ConsoleRoute
from psvis.registry import cameras
from psvis.registry.enums import CameraRole
from psvis.registry.models import Camera, Jurisdiction

router = APIRouter(route_class=ConsoleRoute)

#: At most this many cameras are drawn; the page says so when there are more.
MAP_CAP = 5000
#: Field-of-view wedges are drawn only when this few cameras are shown.
FOV_MAX = 150
FETCH_PAGE = 500
#: Smallest drawn wedge radius (pixels): a 30 m range is invisible at district scale.
MIN_WEDGE_PX = 22.0


@dataclass(frozen=True, slots=True)
class CameraFilter:
    jurisdiction_code: str | None = None
    role: CameraRole | None = None
    system_id: int | None = None

    def page(
        self,
        session: Session,
        principal: Principal,
        *,
        limit: int,
        offset: int = 0,
        jurisdiction_code: str | None = None,
    ) -> tuple[list[Camera], int]:
        return cameras.list_cameras(
            session,
            principal=principal,
            jurisdiction_code=jurisdiction_code or self.jurisdiction_code,
            role=self.role,
            system_id=self.system_id,
            limit=limit,
            offset=offset,
        )

    @property
    def active(self) -> bool:
        return any(v is not None for v in (self.jurisdiction_code, self.role, self.system_id))


@dataclass(frozen=True, slots=True)
class Dot:
    id: int
    x: float
    y: float
    colour: str
    name: str
    gb_id: str
    role: CameraRole
    wedge: str


@dataclass(frozen=True, slots=True)
class Centre:
    code: str
    x: float
    y: float
    colour: str
    level: str
    name: str
    size: int
    label: mapsvg.LabelSpot


def fetch_cameras(
    session: Session, principal: Principal, filters: CameraFilter, *, cap: int
) -> tuple[list[Camera], int]:
    """Up to ``cap`` cameras in scope (paged through the service) and the total."""
    found: list[Camera] = []
    total = 0
    while len(found) < cap:
        rows, total = filters.page(
            session, principal, limit=min(FETCH_PAGE, cap - len(found)), offset=len(found)
        )
        found.extend(rows)
        if not rows or len(found) >= total:
            break
    return found, total


def district_colours(tree: list[Jurisdiction]) -> dict[str, str]:
    districts = [j for j in tree if j.level != "city"]
    colours = {j.code: mapsvg.CITY_COLOUR for j in tree}
    for i, j in enumerate(districts):
        colours[j.code] = mapsvg.PALETTE[i % len(mapsvg.PALETTE)]
    return colours


def build_map(ctx: Ctx, filters: CameraFilter) -> dict[str, Any]:
    """Everything map.html draws: projected dots, centres, grid, legend counts."""
    shown, total = fetch_cameras(ctx.session, ctx.principal, filters, cap=MAP_CAP)
    tree = ctx.jurisdictions
    colours = district_colours(tree)
    code = filters.jurisdiction_code
    centre_nodes = [j for j in ctx.scope_jurisdictions if code is None or j.code == code]
    # Fit the cameras and the centres of their districts; with no camera, the whole scope.
    used = {c.jurisdiction_code for c in shown}
    points = [(c.lon, c.lat) for c in shown]
    points += [(j.lon, j.lat) for j in centre_nodes if j.code in used or not shown]
    proj = mapsvg.fit(points)
    with_fov = len(shown) <= FOV_MAX
    dots = []
    for cam in shown:
        x, y = proj.xy(cam.lon, cam.lat)
        radius = max(proj.metres_to_px(cam.range_m), MIN_WEDGE_PX)
        wedge = mapsvg.wedge_path(x, y, cam.azimuth_deg, cam.fov_deg, radius) if with_fov else ""
        colour = colours.get(cam.jurisdiction_code, mapsvg.CITY_COLOUR)
        dots.append(Dot(cam.id, x, y, colour, cam.name, cam.gb_id, cam.role, wedge))
    # The city first, so its label gets the best spot.
    nodes = sorted(centre_nodes, key=lambda j: (j.level != "city", j.code))
    placed = [(j, *proj.xy(j.lon, j.lat)) for j in nodes]
    placed = [(j, x, y) for j, x, y in placed if proj.inside(x, y)]
    sizes = [14 if j.level == "city" else 12 for j, _, _ in placed]
    spots = mapsvg.place_labels(
        [(x, y, ctx.jname(j.code), size) for (j, x, y), size in zip(placed, sizes, strict=True)]
    )
    centres = [
        Centre(j.code, x, y, colours[j.code], j.level, ctx.jname(j.code), size, spot)
        for (j, x, y), size, spot in zip(placed, sizes, spots, strict=True)
    ]
    unfiltered = CameraFilter(role=filters.role, system_id=filters.system_id)
    counts = {
        j.code: unfiltered.page(
            ctx.session,
            ctx.principal,
            limit=1,
            jurisdiction_code=None if j.level == "city" else j.code,
        )[1]
        for j in tree
    }
    bar_px, bar_text = mapsvg.scale_bar(proj)
    return {
        "dots": dots,
        "centres": centres,
        "total": total,
        "cap": MAP_CAP,
        "with_fov": with_fov and bool(dots),
        "dot_radius": 4 if len(dots) <= 1000 else 2.5,
        "grid": mapsvg.graticule(proj),
        "bar_px": bar_px,
        "bar_text": bar_text,
        "width": proj.width,
        "height": proj.height,
        "tree": tree,
        "colours": colours,
        "counts": counts,
    }


@router.get("/map")
def camera_map(
    ctx: ConsoleCtx, jurisdiction: Choice = "", role: Choice = "", system: Choice = ""
) -> HTMLResponse:
    filters = CameraFilter(
        jurisdiction_code=code_or_none(jurisdiction),
        role=enum_or_none(CameraRole, role),
        system_id=id_or_none(system),
    )
    return ctx.render(
        "map.html",
        **build_map(ctx, filters),
        f={"jurisdiction": jurisdiction, "role": role, "system": system},
        roles=list(CameraRole),
    )
