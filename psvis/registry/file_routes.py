"""Registry files over the API: upload an import, download an export.

Uploads are size-limited before any parsing (413); an import with any problem is a 422
whose details list every problem, and nothing is written. Exports contain only what the
caller may read.
"""

from __future__ import annotations

import json
from functools import partial
from io import BytesIO
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile as StarletteUploadFile
from starlette.exceptions import HTTPException

from psvis.api.deps import CurrentPrincipal, DbSession, State, permission
from psvis.auth.policy import Action, Resource
from psvis.core.errors import InvalidInput, PsvisError
from psvis.core.schemas import ErrorResponse
from psvis.registry.exporter import (
    GEOJSON_MEDIA_TYPE,
    XLSX_MEDIA_TYPE,
    export_geojson,
    export_xlsx,
)
from psvis.registry.file_columns import Kind
from psvis.registry.files import Limits
from psvis.registry.importer import ImportReport, import_file

router = APIRouter(prefix="/registry", tags=["registry files"])

#: Room for the multipart envelope around the file itself.
MULTIPART_SLACK: Final = 64 * 1024


class PayloadTooLarge(PsvisError):
    status_code = 413
    code = "payload_too_large"


class LengthRequired(PsvisError):
    status_code = 411
    code = "length_required"


def upload_limits() -> Limits:
    """The limits an upload is held to (a dependency, so a deployment or test can
    override it)."""
    return Limits()


UploadLimits = Annotated[Limits, Depends(upload_limits)]

#: The multipart body, documented by hand: the route reads it itself (see below).
UPLOAD_BODY: Final[dict[str, Any]] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "CSV (UTF-8 or GBK) or XLSX.",
                        }
                    },
                }
            }
        },
    }
}


def _with_upload_body(declared: dict[str, Any]) -> dict[str, Any]:
    """``permission()``'s decorator arguments plus the multipart body for OpenAPI."""
    return {**declared, "openapi_extra": {**declared["openapi_extra"], **UPLOAD_BODY}}


async def _read_upload(request: Request, limits: Limits) -> tuple[bytes, str]:
    """The uploaded file and its name, refusing an oversized body before reading it: the
    declared length is checked first (the server never takes more than declared), then
    the file itself."""
    too_large = PayloadTooLarge(
        f"the file is larger than {limits.max_bytes:,} bytes; split it or raise the limit",
        details={"max_bytes": limits.max_bytes},
    )
    declared = request.headers.get("content-length", "")
    if not declared.isdigit():
        raise LengthRequired("send the upload with a Content-Length header")
    if int(declared) > limits.max_bytes + MULTIPART_SLACK:
        raise too_large
    try:
        async with request.form(max_files=1, max_fields=10) as form:
            upload = form.get("file")
            if not isinstance(upload, StarletteUploadFile):
                raise InvalidInput("send the file as the multipart form field 'file'")
            data = await upload.read(limits.max_bytes + 1)
            name = upload.filename or ""
    except HTTPException as exc:  # malformed multipart body
        raise InvalidInput(f"malformed upload: {exc.detail}") from exc
    if len(data) > limits.max_bytes:
        raise too_large
    return data, name


@router.post(
    "/import",
    response_model=ImportReport,
    responses={
        411: {"model": ErrorResponse},
        413: {"model": ErrorResponse},
        422: {"model": ErrorResponse},
    },
    **_with_upload_body(permission(Resource.REGISTRY_FILE, Action.IMPORT)),
)
async def import_registry_file(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    state: State,
    limits: UploadLimits,
    kind: Annotated[Kind | None, Query(description="What a CSV holds.")] = None,
    dry_run: bool = False,
    legacy_survey: Annotated[
        bool, Query(description="Record existing installations as found (Art. 9 findings).")
    ] = False,
) -> ImportReport:
    """Import a registry file: every row is checked, then all rows or none are written.

    The body is read here rather than by a ``File()`` parameter, which would take the
    whole upload before any check; the import itself runs in a worker thread."""
    data, filename = await _read_upload(request, limits)
    report = await run_in_threadpool(
        partial(
            import_file,
            session,
            principal=principal,
            path_or_bytes=data,
            filename=filename,
            kind=kind,
            legacy_survey=legacy_survey,
            dry_run=dry_run,
            box=state.box,
            camera_type_codes=state.settings.camera_type_codes,
            limits=limits,
        )
    )
    if not report.ok:
        raise InvalidInput(
            f"the file has {report.error_count} problem(s); nothing was imported",
            details=report.model_dump(mode="json"),
        )
    return report


@router.get(
    "/export.xlsx",
    response_class=Response,
    responses={200: {"content": {XLSX_MEDIA_TYPE: {}}}},
    **permission(Resource.REGISTRY_FILE, Action.EXPORT),
)
def export_registry_xlsx(session: DbSession, principal: CurrentPrincipal) -> Response:
    """The registry you may read, in the import format (passwords never included)."""
    buffer = BytesIO()
    export_xlsx(session, principal=principal, out=buffer)
    return Response(
        buffer.getvalue(),
        media_type=XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": 'attachment; filename="psvis-registry.xlsx"'},
    )


@router.get(
    "/export.geojson",
    response_class=Response,
    responses={200: {"content": {GEOJSON_MEDIA_TYPE: {}}}},
    **permission(Resource.REGISTRY_FILE, Action.EXPORT),
)
def export_registry_geojson(
    session: DbSession,
    principal: CurrentPrincipal,
    sites: Annotated[bool, Query(description="Include sites as points too.")] = False,
) -> Response:
    """Cameras you may read as GeoJSON Points ([lon, lat])."""
    collection = export_geojson(session, principal=principal, include_sites=sites)
    return Response(
        json.dumps(collection, ensure_ascii=False).encode("utf-8"),
        media_type=GEOJSON_MEDIA_TYPE,
        headers={"Content-Disposition": 'attachment; filename="psvis-cameras.geojson"'},
    )
