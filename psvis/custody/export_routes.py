"""Exports under custody (Art. 18-19, 20(2)), mounted with the custody API at
``/api/v1/custody`` (see :mod:`psvis.custody.exports` for what happens and in which order):

* ``POST /sessions/{id}/exports`` ``{camera_id, from, to, kind}`` — an evidence package
  (``package``) or a watermarked viewing copy (``viewing_copy``), made, logged and
  stored; answers where to fetch it.
* ``GET /sessions/{id}/exports/{sha256}`` — the file, through the gate again and logged.

The routes declare the custody session's permission (acting in a session is its
officers' business); inside, the footage gate checks the role's footage export reach
for the camera and the session's approved scope, exactly as for every other export.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, status
from fastapi.responses import FileResponse
from pydantic import AwareDatetime, BaseModel, Field

from psvis.api.deps import CurrentPrincipal, DbSession, ObjectId, State, permission
from psvis.auth.policy import Action, Resource
from psvis.core.schemas import ErrorResponse, StrictModel
from psvis.custody import exports
from psvis.custody.exports import ExportKind, StoredExport

#: Included by :data:`psvis.custody.routes.router`, which gives it the ``/custody`` prefix.
router = APIRouter(tags=["custody"])

Sha256 = Annotated[
    str,
    Path(
        min_length=64,
        max_length=64,
        pattern=r"^[0-9a-f]{64}$",
        description="The export's SHA-256 (lower-case hex), as the POST answered.",
    ),
]
ERRORS: dict[int | str, dict[str, object]] = {
    403: {"model": ErrorResponse},
    404: {"model": ErrorResponse},
    409: {"model": ErrorResponse},
    422: {"model": ErrorResponse},
}


class ExportCreate(StrictModel):
    camera_id: int = Field(ge=1, le=2_147_483_647)
    start: AwareDatetime = Field(
        alias="from", description="Start of the footage (inclusive), with a UTC offset."
    )
    end: AwareDatetime = Field(
        alias="to",
        description="End (exclusive): at most 24 h after from for a package, 1 h for a "
        "viewing copy.",
    )
    kind: ExportKind = Field(
        description="package: an evidence package (originals, ledger proofs, the custody "
        "record; verifiable offline). viewing_copy: a watermarked MP4 for watching."
    )


class ExportRead(BaseModel):
    session_id: int
    request_id: int
    request_number: str
    kind: ExportKind
    camera_id: int
    start: dt.datetime = Field(serialization_alias="from")
    end: dt.datetime = Field(serialization_alias="to")
    sha256: str = Field(description="SHA-256 of the file; also its id.")
    size_bytes: int
    created_at: dt.datetime
    segments: int = Field(description="Recorded segments exported (each logged).")
    package_id: str | None = Field(description="The package's id (packages only).")
    watermark: list[str] = Field(description="The lines drawn over a viewing copy.")
    file_name: str
    download: str = Field(description="Where to fetch it (same session, still open).")


def _read(stored: StoredExport) -> ExportRead:
    return ExportRead(
        session_id=stored.session_id,
        request_id=stored.request_id,
        request_number=stored.request_number,
        kind=stored.kind,
        camera_id=stored.camera_id,
        start=stored.start,
        end=stored.end,
        sha256=stored.sha256,
        size_bytes=stored.size_bytes,
        created_at=stored.created_at,
        segments=stored.segments,
        package_id=stored.package_id,
        watermark=list(stored.watermark),
        file_name=stored.file_name,
        download=f"/api/v1/custody/sessions/{stored.session_id}/exports/{stored.sha256}",
    )


@router.post(
    "/sessions/{session_id}/exports",
    response_model=ExportRead,
    status_code=status.HTTP_201_CREATED,
    responses=ERRORS,
    **permission(Resource.CUSTODY_SESSION, Action.UPDATE),
)
def create_export(
    session: DbSession,
    principal: CurrentPrincipal,
    state: State,
    session_id: ObjectId,
    body: ExportCreate,
) -> ExportRead:
    """Export recorded footage inside an open execution session (Art. 18-19): only an
    officer of the session, only camera × range inside the approved request, only if it
    approves copying or retrieval. Every segment exported is logged, with an ``export``
    ledger entry carrying the file's SHA-256, before the file can be fetched."""
    stored = exports.export(
        session,
        principal=principal,
        session_id=session_id,
        camera_id=body.camera_id,
        start=body.start,
        end=body.end,
        kind=body.kind,
        settings=state.settings,
    )
    return _read(stored)


@router.get(
    "/sessions/{session_id}/exports/{sha256}",
    response_class=FileResponse,
    responses={
        200: {"content": {"application/zip": {}, "video/mp4": {}}},
        403: {"model": ErrorResponse},
        404: {"model": ErrorResponse},
    },
    **permission(Resource.CUSTODY_SESSION, Action.UPDATE),
)
def download_export(
    session: DbSession,
    principal: CurrentPrincipal,
    state: State,
    session_id: ObjectId,
    sha256: Sha256,
) -> FileResponse:
    """Fetch an export of the session: authorized again (an officer of the same session,
    still open, the request still valid and covering it) and logged."""
    stored = exports.fetch(
        session,
        principal=principal,
        session_id=session_id,
        sha256=sha256,
        data_dir=state.settings.data_dir,
    )
    return FileResponse(
        stored.path,
        media_type=stored.media_type,
        filename=stored.file_name,
        headers={"Cache-Control": "no-store", "X-Content-SHA256": stored.sha256},
    )
