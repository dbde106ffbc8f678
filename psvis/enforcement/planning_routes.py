"""Planning API (Art. 7, 8) under ``/api/v1/enforcement/planning``: planned camera points
with their duplicate-coverage check, and the mandatory sites' coverage gaps."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from sqlalchemy.orm import Session

from psvis.api.deps import CurrentPrincipal, DbSession, ObjectId, permission
from psvis.auth.policy import Action, Resource
from psvis.core.schemas import MAX_ROW_ID, ErrorResponse, Page
from psvis.enforcement import planning_service
from psvis.enforcement.planning_models import PlannedPoint
from psvis.enforcement.planning_schemas import (
    CoverageRead,
    GapRead,
    PointCreate,
    PointDetail,
    PointRead,
)

router = APIRouter(prefix="/planning", tags=["enforcement"])

Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
Code = Annotated[str | None, Query(pattern=r"^[0-9]{6}$")]


def detail(db: Session, point: PlannedPoint) -> PointDetail:
    coverage = planning_service.check(
        db, planning_service.view_of(point), threshold=point.threshold
    )
    return PointDetail.model_validate(
        {
            **PointRead.model_validate(point).model_dump(),
            "now": CoverageRead(
                covered_share=coverage.share,
                threshold=point.threshold,
                covering_camera_ids=list(coverage.overlapping_ids),
                duplicate=not coverage.decision.ok,
                article=coverage.decision.article,
                reason=coverage.decision.reason,
            ),
        }
    )


@router.get("/points", response_model=Page[PointRead], **permission(Resource.PLANNING, Action.READ))
def list_points(
    session: DbSession,
    principal: CurrentPrincipal,
    jurisdiction: Code = None,
    site_id: Annotated[int | None, Query(ge=1, le=MAX_ROW_ID)] = None,
    duplicate: bool | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[PointRead]:
    rows, total = planning_service.list_points(
        session,
        principal=principal,
        jurisdiction_code=jurisdiction,
        site_id=site_id,
        duplicate=duplicate,
        limit=limit,
        offset=offset,
    )
    return Page(
        items=[PointRead.model_validate(r) for r in rows], total=total, limit=limit, offset=offset
    )


@router.post(
    "/points",
    response_model=PointDetail,
    status_code=status.HTTP_201_CREATED,
    responses={422: {"model": ErrorResponse}},
    **permission(Resource.PLANNING, Action.CREATE),
)
def plan_point(session: DbSession, principal: CurrentPrincipal, body: PointCreate) -> PointDetail:
    """Add a planned point; ``duplicate`` flags a field of view already covered (Art. 7)."""
    point = planning_service.plan_point(session, principal=principal, data=body)
    return detail(session, point)


@router.get(
    "/points/{point_id}", response_model=PointDetail, **permission(Resource.PLANNING, Action.READ)
)
def get_point(session: DbSession, principal: CurrentPrincipal, point_id: ObjectId) -> PointDetail:
    """The point, its check when planned, and the check against today's cameras."""
    return detail(
        session, planning_service.get_point(session, principal=principal, point_id=point_id)
    )


@router.get("/gaps", response_model=Page[GapRead], **permission(Resource.PLANNING, Action.READ))
def list_gaps(
    session: DbSession,
    principal: CurrentPrincipal,
    jurisdiction: Code = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[GapRead]:
    """Art. 8 sites without a camera at an entrance, passage or key spot."""
    rows, total = planning_service.gaps(
        session, principal=principal, jurisdiction_code=jurisdiction, limit=limit, offset=offset
    )
    return Page(
        items=[
            GapRead(
                site_id=site.id,
                site_name=site.name,
                category=site.category.value,
                jurisdiction_code=site.jurisdiction_code,
                article=gap.decision.article,
                missing=list(gap.missing),
                planned=list(gap.planned),
            )
            for site, gap in rows
        ],
        total=total,
        limit=limit,
        offset=offset,
    )


__all__ = ["router"]
