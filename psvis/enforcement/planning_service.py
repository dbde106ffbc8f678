"""Planning (Art. 7, 8): planned camera points with the duplicate-coverage check
against the existing cameras, and the mandatory sites still lacking cameras at their
entrances, passages or key spots.

*Existing cameras* are every enabled camera of a system not removed, whatever the
caller's jurisdiction: Art. 7 asks the city to reuse what exists, and a camera across a
district border covers the same street. Only their ids leave this module.

    point = plan_point(db, principal=admin, data=PointCreate(site_id=3, name="东门",
                       role="entrance", lat=28.68, lon=115.9, azimuth_deg=90))
    point.duplicate  # True when ≥ 50 % of its field of view is already covered
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict

from sqlalchemy import ColumnElement, false, func, select, true
from sqlalchemy.orm import Session

from psvis.auth.policy import Action, Reach, Resource
from psvis.auth.principal import Principal
from psvis.core.errors import Forbidden, NotFound
from psvis.core.timeutil import utcnow
from psvis.enforcement import acts, planning
from psvis.enforcement.planning_models import PlannedPoint
from psvis.enforcement.planning_schemas import PointCreate
from psvis.registry import service as registry
from psvis.registry.enums import MANDATORY_CATEGORIES, CameraRole, LifecycleState
from psvis.registry.models import Camera, Site, System
from psvis.registry.service import page


def visible(principal: Principal, action: Action = Action.READ) -> ColumnElement[bool]:
    """WHERE over ``enforcement_planned_point`` (and usable for sites by code)."""
    reach = principal.reach(Resource.PLANNING, action)
    if reach is Reach.ALL:
        return true()
    codes = principal.covered_codes
    return PlannedPoint.jurisdiction_code.in_(codes) if codes else false()


def existing_views(session: Session, view: planning.View) -> list[planning.View]:
    """The existing cameras whose sector could reach ``view``'s: within its range plus
    the longest camera range of a box around it."""
    longest = session.scalar(select(func.max(Camera.range_m))) or 0.0
    reach_m = view.range_m + float(longest)
    dlat = reach_m / planning.M_PER_DEG_LAT
    dlon = reach_m / (planning.M_PER_DEG_LON * max(0.01, math.cos(math.radians(view.lat))))
    rows = session.execute(
        select(
            Camera.id, Camera.lat, Camera.lon, Camera.azimuth_deg, Camera.fov_deg, Camera.range_m
        )
        .join(System, System.id == Camera.system_id)
        .where(
            Camera.enabled.is_(True),
            System.state != LifecycleState.REMOVED,
            Camera.lat.between(view.lat - dlat, view.lat + dlat),
            Camera.lon.between(view.lon - dlon, view.lon + dlon),
        )
        .order_by(Camera.id)
    )
    return [planning.View(*row) for row in rows]


def view_of(point: PlannedPoint | PointCreate) -> planning.View:
    return planning.View(
        id=None,
        lat=point.lat,
        lon=point.lon,
        azimuth_deg=point.azimuth_deg,
        fov_deg=point.fov_deg,
        range_m=point.range_m,
    )


def check(
    session: Session, view: planning.View, *, threshold: float = planning.DEFAULT_THRESHOLD
) -> planning.Coverage:
    return planning.duplicate_coverage(view, existing_views(session, view), threshold=threshold)


def plan_point(
    session: Session,
    *,
    principal: Principal,
    data: PointCreate,
    now: dt.datetime | None = None,
) -> PlannedPoint:
    """Add a planned point at a site the caller reaches, with its check (flushes)."""
    site = registry.get_site(session, principal=principal, site_id=data.site_id)
    reach = principal.reach(Resource.PLANNING, Action.CREATE)
    if reach is not Reach.ALL and not principal.covers(site.jurisdiction_code):
        raise Forbidden(f"you may not plan at site {site.id}")
    now = now or utcnow()
    coverage = check(session, view_of(data))
    point = PlannedPoint(
        jurisdiction_code=site.jurisdiction_code,
        site_id=site.id,
        name=data.name,
        role=data.role,
        lat=data.lat,
        lon=data.lon,
        azimuth_deg=data.azimuth_deg,
        fov_deg=data.fov_deg,
        range_m=data.range_m,
        planned_by=principal.user_id,
        planned_at=now,
        covered_share=min(1.0, max(0.0, coverage.share)),
        threshold=planning.DEFAULT_THRESHOLD,
        covering_camera_ids=list(coverage.overlapping_ids),
        duplicate=not coverage.decision.ok,
    )
    session.add(point)
    session.flush()
    acts.log(
        session,
        acts.Act.POINT_PLANNED,
        at=now,
        point=point.id,
        site=site.id,
        jurisdiction=site.jurisdiction_code,
        role=data.role.value,
        covered=coverage.decision.evidence["covered"],
        cameras=list(coverage.overlapping_ids),
        duplicate=point.duplicate,
    )
    return point


def get_point(session: Session, *, principal: Principal, point_id: int) -> PlannedPoint:
    found = session.scalar(
        select(PlannedPoint).where(PlannedPoint.id == point_id, visible(principal))
    )
    if found is None:
        raise NotFound(f"planned point {point_id} not found")
    return found


def list_points(
    session: Session,
    *,
    principal: Principal,
    jurisdiction_code: str | None = None,
    site_id: int | None = None,
    duplicate: bool | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[PlannedPoint], int]:
    stmt = select(PlannedPoint).where(visible(principal))
    if jurisdiction_code:
        stmt = stmt.where(PlannedPoint.jurisdiction_code == jurisdiction_code)
    if site_id is not None:
        stmt = stmt.where(PlannedPoint.site_id == site_id)
    if duplicate is not None:
        stmt = stmt.where(PlannedPoint.duplicate.is_(duplicate))
    return page(session, stmt.order_by(PlannedPoint.id.desc()), limit=limit, offset=offset)


def gaps(
    session: Session,
    *,
    principal: Principal,
    jurisdiction_code: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[tuple[Site, planning.SiteGap]], int]:
    """The Art. 8 sites in the caller's planning scope lacking a camera at an entrance,
    passage or key spot (enabled cameras of systems not removed), with the roles their
    planned points would fill; ordered by site id."""
    reach = principal.reach(Resource.PLANNING, Action.READ)
    stmt = select(Site).where(Site.category.in_(MANDATORY_CATEGORIES))
    if reach is not Reach.ALL:
        stmt = stmt.where(Site.jurisdiction_code.in_(principal.covered_codes))
    if jurisdiction_code:
        stmt = stmt.where(Site.jurisdiction_code == jurisdiction_code)
    sites = list(session.scalars(stmt.order_by(Site.id)))
    ids = [s.id for s in sites]
    present: dict[int, set[CameraRole]] = defaultdict(set)
    for site_id, role in session.execute(
        select(System.site_id, Camera.role)
        .join(Camera, Camera.system_id == System.id)
        .where(
            System.site_id.in_(ids),
            System.state != LifecycleState.REMOVED,
            Camera.enabled.is_(True),
        )
        .distinct()
    ):
        present[site_id].add(role)
    planned: dict[int, set[CameraRole]] = defaultdict(set)
    for site_id, role in session.execute(
        select(PlannedPoint.site_id, PlannedPoint.role)
        .where(PlannedPoint.site_id.in_(ids))
        .distinct()
    ):
        planned[site_id].add(role)
    found = []
    for site in sites:
        gap = planning.site_gap(site.category, present[site.id], planned[site.id])
        if gap.missing:
            found.append((site, gap))
    return found[offset : offset + limit], len(found)
