"""Commendation API (Art. 22) under ``/api/v1/enforcement/commendations``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from psvis.api.deps import CurrentPrincipal, DbSession, ObjectId, permission
from psvis.auth.policy import Action, Resource
from psvis.core.schemas import MAX_ROW_ID, ErrorResponse, Page
from psvis.enforcement import commendations
from psvis.enforcement.commendation_rules import SourceKind
from psvis.enforcement.commendation_schemas import CommendationCreate, CommendationRead

router = APIRouter(prefix="/commendations", tags=["enforcement"])


@router.get(
    "", response_model=Page[CommendationRead], **permission(Resource.COMMENDATION, Action.READ)
)
def list_commendations(
    session: DbSession,
    principal: CurrentPrincipal,
    unit_id: Annotated[int | None, Query(ge=1, le=MAX_ROW_ID)] = None,
    source_kind: SourceKind | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Page[CommendationRead]:
    rows, total = commendations.list_commendations(
        session,
        principal=principal,
        unit_id=unit_id,
        source_kind=source_kind,
        limit=limit,
        offset=offset,
    )
    return Page(
        items=[CommendationRead.model_validate(r) for r in rows],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.post(
    "",
    response_model=CommendationRead,
    status_code=status.HTTP_201_CREATED,
    responses={409: {"model": ErrorResponse}, 422: {"model": ErrorResponse}},
    **permission(Resource.COMMENDATION, Action.CREATE),
)
def commend(
    session: DbSession, principal: CurrentPrincipal, body: CommendationCreate
) -> CommendationRead:
    """Commend a unit for the report, request or case it came from (Art. 22)."""
    return CommendationRead.model_validate(
        commendations.commend(session, principal=principal, data=body)
    )


@router.get(
    "/{commendation_id}",
    response_model=CommendationRead,
    **permission(Resource.COMMENDATION, Action.READ),
)
def get_commendation(
    session: DbSession, principal: CurrentPrincipal, commendation_id: ObjectId
) -> CommendationRead:
    return CommendationRead.model_validate(
        commendations.get_commendation(
            session, principal=principal, commendation_id=commendation_id
        )
    )
