"""The console: server-rendered pages (zh-CN first, English on request) and their CSS.

Mounted at "/" by the app factory; routes stay thin (parse, call the scoped services,
render) and live in the modules included below.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse

from psvis.console import (
    auth_pages,
    custody_book_pages,
    custody_decide_pages,
    custody_export_pages,
    custody_pages,
    custody_session_pages,
    custody_totp_pages,
    enforcement_pages,
    equipment_pages,
    findings_pages,
    health_pages,
    ledger_audit_pages,
    ledger_pages,
    ledger_verify_pages,
    registry_pages,
    video_pages,
)
from psvis.console import map as map_page
from psvis.console.render import STATIC_DIR
from psvis.console.route import ConsoleRoute
from psvis.core.errors import NotFound

router = APIRouter(include_in_schema=False, route_class=ConsoleRoute)

STATIC_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
}


@router.get("/static/{name}")
def static_file(name: str) -> FileResponse:
    """The console's own CSS/JS: a flat directory, looked up by exact file name."""
    files = {p.name: p for p in STATIC_DIR.iterdir() if p.is_file()}
    path = files.get(name)
    if path is None or path.suffix not in STATIC_TYPES:
        raise NotFound(f"no static file {name!r}")
    return FileResponse(
        path,
        media_type=STATIC_TYPES[path.suffix],
        headers={"Cache-Control": "public, max-age=3600"},
    )


#: Third-party scripts, vendored (no CDN): exact names only. hls.js plays HLS in
#: browsers without native HLS (Chromium); its licence is next to it.
VENDOR_FILES = {"hls.min.js": "text/javascript; charset=utf-8"}


@router.get("/static/vendor/{name}")
def vendor_file(name: str) -> FileResponse:
    media_type = VENDOR_FILES.get(name)
    if media_type is None:
        raise NotFound(f"no vendored file {name!r}")
    return FileResponse(
        STATIC_DIR / "vendor" / name,
        media_type=media_type,
        headers={"Cache-Control": "public, max-age=86400"},
    )


for _module in (
    auth_pages,
    findings_pages,
    registry_pages,
    equipment_pages,
    map_page,
    video_pages,
    ledger_pages,
    ledger_audit_pages,
    ledger_verify_pages,
    custody_pages,
    custody_decide_pages,
    custody_session_pages,
    custody_export_pages,
    custody_book_pages,
    custody_totp_pages,
    enforcement_pages,
    health_pages,
):
    router.include_router(_module.router)
