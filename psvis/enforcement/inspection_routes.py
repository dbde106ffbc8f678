"""Inspections API (Art. 21), under ``/api/v1/enforcement``: the checklists per site
category, inspections with their item results, photos (raw JPEG/PNG body, checked by
content) and the follow-up case on failed items. Thin: parse, authorise, call the
service; an incomplete record or a wrong follow-up is a 422 naming Art. 21.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from sqlalchemy.orm import Session

from psvis.api.deps import CurrentPrincipal, DbSession, ObjectId, State, permission
from psvis.auth.policy import Action, Resource
from psvis.core.errors import InvalidInput, PsvisError
from psvis.core.schemas import ErrorResponse, Page
from psvis.enforcement import checklists, inspections, photos
from psvis.enforcement import routes as case_routes
from psvis.enforcement.inspection_models import Inspection
from psvis.enforcement.inspection_schemas import (
    ChecklistItemRead,
    ChecklistRead,
    FollowupCreate,
    FollowupRead,
    InspectionCreate,
    InspectionDetail,
    InspectionRead,
    ItemRead,
    PhotoRead,
)
from psvis.enforcement.schemas import CaseDetail
from psvis.registry.enums import SiteCategory

router = APIRouter(tags=["inspections"])

Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
RowId = Annotated[int | None, Query(ge=1, le=2_147_483_647)]
ERRORS: dict[int | str, dict[str, object]] = {
    409: {"model": ErrorResponse},
    422: {"model": ErrorResponse},
}


class PayloadTooLarge(PsvisError):
    status_code = 413
    code = "payload_too_large"


class LengthRequired(PsvisError):
    status_code = 411
    code = "length_required"


def detail(db: Session, inspection: Inspection) -> InspectionDetail:
    return InspectionDetail.model_validate(
        {
            **InspectionRead.model_validate(inspection).model_dump(),
            "items": [
                ItemRead.model_validate(i)
                for i in inspections.items_of(db, inspection_id=inspection.id)
            ],
            "photos": [
                PhotoRead.model_validate(p)
                for p in inspections.photos_of(db, inspection_id=inspection.id)
            ],
            "followups": [
                FollowupRead(case_id=f.case_id, items=f.items.split(","))
                for f in inspections.followups_of(db, inspection_id=inspection.id)
            ],
        }
    )


@router.get(
    "/checklists",
    response_model=list[ChecklistRead],
    **permission(Resource.INSPECTION, Action.READ),
)
def list_checklists() -> list[ChecklistRead]:
    """The checklist of every site category, each item with its article and the
    provision a failure is punished under."""
    return [
        ChecklistRead(
            category=category,
            items=[
                ChecklistItemRead.model_validate(item) for item in checklists.checklist(category)
            ],
        )
        for category in SiteCategory
    ]


@router.get(
    "/inspections",
    response_model=Page[InspectionRead],
    **permission(Resource.INSPECTION, Action.READ),
)
def list_inspections(
    session: DbSession,
    principal: CurrentPrincipal,
    site_id: RowId = None,
    unit_id: RowId = None,
    failed_only: bool = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[InspectionRead]:
    rows, total = inspections.list_inspections(
        session,
        principal=principal,
        site_id=site_id,
        unit_id=unit_id,
        failed_only=failed_only,
        limit=limit,
        offset=offset,
    )
    return Page(
        items=[InspectionRead.model_validate(r) for r in rows],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.post(
    "/inspections",
    response_model=InspectionDetail,
    status_code=status.HTTP_201_CREATED,
    responses=ERRORS,
    **permission(Resource.INSPECTION, Action.CREATE),
)
def record_inspection(
    session: DbSession, principal: CurrentPrincipal, body: InspectionCreate
) -> InspectionDetail:
    """Record a visit (Art. 21): every item of the site category's checklist."""
    return detail(session, inspections.record_inspection(session, principal=principal, data=body))


@router.get(
    "/inspections/{inspection_id}",
    response_model=InspectionDetail,
    **permission(Resource.INSPECTION, Action.READ),
)
def get_inspection(
    session: DbSession, principal: CurrentPrincipal, inspection_id: ObjectId
) -> InspectionDetail:
    found = inspections.get_inspection(session, principal=principal, inspection_id=inspection_id)
    return detail(session, found)


PHOTO_BODY: Final[dict[str, Any]] = {
    "requestBody": {
        "required": True,
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}


def _with_body(declared: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    return {**declared, "openapi_extra": {**declared["openapi_extra"], **extra}}


async def _photo_body(request: Request) -> bytes:
    """The raw body, refused as soon as it passes the limit (never read whole first)."""
    declared = request.headers.get("content-length", "")
    if not declared.isdigit():
        raise LengthRequired("send the photo with a Content-Length header")
    too_large = PayloadTooLarge(
        f"the photo is larger than {photos.MAX_PHOTO_BYTES // (1024 * 1024)} MB",
        details={"max_bytes": photos.MAX_PHOTO_BYTES},
    )
    if int(declared) > photos.MAX_PHOTO_BYTES:
        raise too_large
    data = bytearray()
    async for chunk in request.stream():
        data.extend(chunk)
        if len(data) > photos.MAX_PHOTO_BYTES:
            raise too_large
    return bytes(data)


@router.post(
    "/inspections/{inspection_id}/photos",
    response_model=PhotoRead,
    status_code=status.HTTP_201_CREATED,
    responses={
        409: {"model": ErrorResponse},
        411: {"model": ErrorResponse},
        413: {"model": ErrorResponse},
        422: {"model": ErrorResponse},
    },
    **_with_body(permission(Resource.INSPECTION, Action.UPDATE), PHOTO_BODY),
)
async def add_photo(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    state: State,
    inspection_id: ObjectId,
    item: Annotated[str, Query(max_length=32, pattern=r"^[a-z_]*$")] = "",
) -> PhotoRead:
    """A JPEG or PNG photo as the raw body (checked by its first bytes; the declared
    type is ignored), of a checklist ``item`` or of the site."""
    data = await _photo_body(request)
    if not data:
        raise InvalidInput("the photo is empty")

    def attach() -> PhotoRead:  # database and disk work off the event loop
        photo = inspections.add_photo(
            session,
            principal=principal,
            inspection_id=inspection_id,
            data=data,
            item=item,
            data_dir=state.settings.data_dir,
        )
        return PhotoRead.model_validate(photo)

    return await run_in_threadpool(attach)


@router.get(
    "/inspection-photos/{photo_id}",
    response_class=FileResponse,
    responses={200: {"content": {"image/jpeg": {}, "image/png": {}}}},
    **permission(Resource.INSPECTION, Action.READ),
)
def get_photo(
    session: DbSession, principal: CurrentPrincipal, state: State, photo_id: ObjectId
) -> FileResponse:
    photo = inspections.get_photo(session, principal=principal, photo_id=photo_id)
    return FileResponse(
        photos.path_of(state.settings.data_dir, photo.sha256),
        media_type=photo.media_type,
        headers={"X-Content-SHA256": photo.sha256, "Cache-Control": "private, no-store"},
    )


@router.post(
    "/inspections/{inspection_id}/cases",
    response_model=CaseDetail,
    status_code=status.HTTP_201_CREATED,
    responses=ERRORS,
    **permission(Resource.INSPECTION, Action.UPDATE),
)
def open_followup(
    session: DbSession, principal: CurrentPrincipal, inspection_id: ObjectId, body: FollowupCreate
) -> CaseDetail:
    """A case on failed items (one provision per case), its evidence the inspection."""
    case = inspections.open_followup(
        session, principal=principal, inspection_id=inspection_id, data=body
    )
    return case_routes.case_detail(session, case)
