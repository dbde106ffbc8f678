"""Unit duty API (Art. 17(1)(2)(5)) under ``/api/v1/enforcement/duties``: documents on
file (raw body, typed by content), trainings with their expiry, suspicious-information
reports and the police's acknowledgement."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse

from psvis.api.deps import CurrentPrincipal, DbSession, ObjectId, State, permission
from psvis.auth.policy import Action, Resource
from psvis.core.errors import InvalidInput
from psvis.core.schemas import MAX_ROW_ID, ErrorResponse, Page
from psvis.core.timeutil import today_china
from psvis.enforcement import duties, duty_files, duty_rules
from psvis.enforcement.duty_models import SuspiciousReport, TrainingRecord
from psvis.enforcement.duty_schemas import (
    AcknowledgeIn,
    DocumentRead,
    ReportCreate,
    ReportRead,
    TrainingCreate,
    TrainingRead,
)
from psvis.enforcement.inspection_routes import LengthRequired, PayloadTooLarge, _with_body
from psvis.enforcement.schemas import FIRST_DAY, LAST_DAY

router = APIRouter(prefix="/duties", tags=["enforcement"])

Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
UnitId = Annotated[int | None, Query(ge=1, le=MAX_ROW_ID)]
Day = Annotated[dt.date | None, Query(ge=FIRST_DAY, le=LAST_DAY)]
ERRORS: dict[int | str, dict[str, object]] = {
    409: {"model": ErrorResponse},
    422: {"model": ErrorResponse},
}
FILE_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}


async def _body(request: Request) -> bytes:
    """The raw body, refused as soon as it passes the limit (never read whole first)."""
    declared = request.headers.get("content-length", "")
    if not declared.isdigit():
        raise LengthRequired("send the file with a Content-Length header")
    too_large = PayloadTooLarge(
        f"the file is larger than {duty_files.MAX_FILE_BYTES // (1024 * 1024)} MB",
        details={"max_bytes": duty_files.MAX_FILE_BYTES},
    )
    if int(declared) > duty_files.MAX_FILE_BYTES:
        raise too_large
    data = bytearray()
    async for chunk in request.stream():
        data.extend(chunk)
        if len(data) > duty_files.MAX_FILE_BYTES:
            raise too_large
    return bytes(data)


def training_read(row: TrainingRecord) -> TrainingRead:
    expired = not duty_rules.training_current(row.expires_on, today=today_china()).ok
    fields = {c: getattr(row, c) for c in TrainingRead.model_fields if c != "expired"}
    return TrainingRead.model_validate(fields | {"expired": expired})


def report_read(row: SuspiciousReport) -> ReportRead:
    fields = {c: getattr(row, c) for c in ReportRead.model_fields if c != "retrieval_request_hint"}
    return ReportRead.model_validate(
        fields | {"retrieval_request_hint": duties.retrieval_hint(row)}
    )


@router.get(
    "/documents", response_model=Page[DocumentRead], **permission(Resource.UNIT_DUTY, Action.READ)
)
def list_documents(
    session: DbSession,
    principal: CurrentPrincipal,
    unit_id: UnitId = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[DocumentRead]:
    rows, total = duties.list_documents(
        session, principal=principal, unit_id=unit_id, limit=limit, offset=offset
    )
    return Page(
        items=[DocumentRead.model_validate(r) for r in rows],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.post(
    "/documents",
    response_model=DocumentRead,
    status_code=status.HTTP_201_CREATED,
    responses={**ERRORS, 411: {"model": ErrorResponse}, 413: {"model": ErrorResponse}},
    **_with_body(permission(Resource.UNIT_DUTY, Action.CREATE), FILE_BODY),
)
async def add_document(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    state: State,
    unit_id: Annotated[int, Query(ge=1, le=MAX_ROW_ID)],
    kind: duty_rules.DocumentKind,
    title: Annotated[str, Query(min_length=1, max_length=200)],
    period_start: Day = None,
    period_end: Day = None,
) -> DocumentRead:
    """Art. 17(1): rules or a duty log on file — a PDF, JPEG or PNG as the raw body."""
    if "\x00" in title or not title.strip():
        raise InvalidInput("the title must be text")
    data = await _body(request)

    def add() -> DocumentRead:
        row = duties.add_document(
            session,
            principal=principal,
            unit_id=unit_id,
            kind=kind,
            title=title.strip(),
            period_start=period_start,
            period_end=period_end,
            data=data,
            data_dir=state.settings.data_dir,
        )
        return DocumentRead.model_validate(row)

    return await run_in_threadpool(add)


@router.get(
    "/documents/{document_id}/file",
    response_class=FileResponse,
    responses={200: {"content": {t: {} for _, t in duty_files.MAGIC}}},
    **permission(Resource.UNIT_DUTY, Action.READ),
)
def get_document_file(
    session: DbSession, principal: CurrentPrincipal, state: State, document_id: ObjectId
) -> FileResponse:
    row = duties.get_document(session, principal=principal, document_id=document_id)
    return FileResponse(
        duty_files.path_of(state.settings.data_dir, row.sha256),
        media_type=row.media_type,
        headers={"X-Content-SHA256": row.sha256, "Cache-Control": "private, no-store"},
    )


@router.get(
    "/trainings", response_model=Page[TrainingRead], **permission(Resource.UNIT_DUTY, Action.READ)
)
def list_trainings(
    session: DbSession,
    principal: CurrentPrincipal,
    unit_id: UnitId = None,
    expired: bool | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[TrainingRead]:
    """Soonest expiry first; ``expired=true``: only those past their last day."""
    rows, total = duties.list_trainings(
        session,
        principal=principal,
        unit_id=unit_id,
        expired_on=today_china() if expired else None,
        limit=limit,
        offset=offset,
    )
    return Page(items=[training_read(r) for r in rows], total=total, limit=limit, offset=offset)


@router.post(
    "/trainings",
    response_model=TrainingRead,
    status_code=status.HTTP_201_CREATED,
    responses=ERRORS,
    **permission(Resource.UNIT_DUTY, Action.CREATE),
)
def add_training(
    session: DbSession, principal: CurrentPrincipal, body: TrainingCreate
) -> TrainingRead:
    return training_read(duties.add_training(session, principal=principal, data=body))


@router.get(
    "/reports",
    response_model=Page[ReportRead],
    **permission(Resource.SUSPICIOUS_REPORT, Action.READ),
)
def list_reports(
    session: DbSession,
    principal: CurrentPrincipal,
    unit_id: UnitId = None,
    acknowledged: bool | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[ReportRead]:
    rows, total = duties.list_reports(
        session,
        principal=principal,
        unit_id=unit_id,
        acknowledged=acknowledged,
        limit=limit,
        offset=offset,
    )
    return Page(items=[report_read(r) for r in rows], total=total, limit=limit, offset=offset)


@router.post(
    "/reports",
    response_model=ReportRead,
    status_code=status.HTTP_201_CREATED,
    responses=ERRORS,
    **permission(Resource.SUSPICIOUS_REPORT, Action.CREATE),
)
def file_report(
    session: DbSession,
    principal: CurrentPrincipal,
    body: ReportCreate,
    unit_id: Annotated[int, Query(ge=1, le=MAX_ROW_ID)],
) -> ReportRead:
    """Art. 17(5): suspicious information, naming one of the unit's cameras and a range."""
    return report_read(duties.report(session, principal=principal, unit_id=unit_id, data=body))


@router.get(
    "/reports/{report_id}",
    response_model=ReportRead,
    **permission(Resource.SUSPICIOUS_REPORT, Action.READ),
)
def get_report(session: DbSession, principal: CurrentPrincipal, report_id: ObjectId) -> ReportRead:
    return report_read(duties.get_report(session, principal=principal, report_id=report_id))


@router.post(
    "/reports/{report_id}/acknowledge",
    response_model=ReportRead,
    responses=ERRORS,
    **permission(Resource.SUSPICIOUS_REPORT, Action.UPDATE),
)
def acknowledge(
    session: DbSession, principal: CurrentPrincipal, report_id: ObjectId, body: AcknowledgeIn
) -> ReportRead:
    """The police acknowledge the report; the footage is retrieved by request (Art. 18)."""
    return report_read(
        duties.acknowledge(session, principal=principal, report_id=report_id, note=body.note)
    )
