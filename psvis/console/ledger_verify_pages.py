"""Verify an evidence package in the console: upload the zip and a public key, see
each check of :func:`psvis.ledger.verify_package.verify_package` hold or fail.

The upload route is ``async`` and reads the body itself (``console/uploads.py``): the
visitor is authenticated and authorised with a short database session *before* a byte
of the body is read, no transaction stays open during a long upload, the package
streams to a private temporary directory under the data directory (never into memory,
nor onto a RAM-backed /tmp) and that directory is removed whatever happens.
"""

from __future__ import annotations

import datetime as dt
import secrets
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from psvis.auth.policy import Resource
from psvis.console.context import ConsoleCtx, Ctx, Viewer, current_viewer
from psvis.console.i18n import CATALOG, translate
from psvis.console.ledger_pages import node_public_key
from psvis.console.render import LoginRequired, page_language
from psvis.console.route import ConsoleRoute
from psvis.console.uploads import Part, Received, UploadError, human_bytes, receive
from psvis.console.video_pages import local
from psvis.core.errors import Forbidden
from psvis.ledger.keys import LedgerKeyError, PublicKey
from psvis.ledger.verify_package import VerifyReport, verify_package

router = APIRouter(route_class=ConsoleRoute)

PAGE = "/ledger/verify"
#: Largest package the console accepts: a day of one camera's footage at a few Mbit/s
#: fits; bigger packages are verified offline with ``psvis verify-package``. Tests and
#: deployments may change it (it is read at each upload).
MAX_PACKAGE_BYTES = 2 << 30
#: A PEM public key is about 113 bytes; anything much bigger is not one.
MAX_KEY_BYTES = 16 * 1024
#: The temporary directory (under the data directory) that uploads stream into.
UPLOAD_DIR = "tmp"
#: An upload directory this old belongs to no running upload (a crash left it).
STALE_SPOOL = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the page shows after an upload: the report, or why there is none."""

    report: VerifyReport | None = None
    filename: str = ""
    size: int = 0
    key_fingerprint: str = ""
    error: str = ""
    error_values: dict[str, Any] | None = None


def check_label(name: str, lang: str) -> str:
    key = f"vcheck.{name}"
    return translate(key, lang) if key in CATALOG else name


def range_text(report: VerifyReport | None) -> str:
    """The package's time range in China time (the manifest states it in UTC)."""
    manifest = report.manifest if report is not None else None
    if manifest is None:
        return ""
    return f"{local(manifest.range_from)} – {local(manifest.range_to)}"


def _render(ctx: Ctx, outcome: Outcome | None, *, status_code: int = 200) -> HTMLResponse:
    settings = ctx.request.app.state.psvis.settings
    node_key = node_public_key(settings.data_dir)
    error = ""
    if outcome is not None and outcome.error:
        error = translate(outcome.error, ctx.lang, **(outcome.error_values or {}))
    report = outcome.report if outcome is not None else None
    return ctx.render(
        "ledger/verify.html",
        status_code=status_code,
        tab="verify",
        node_key=node_key,
        limit=human_bytes(MAX_PACKAGE_BYTES),
        outcome=outcome,
        error=error,
        report=report,
        checks=[
            {"name": c.name, "label": check_label(c.name, ctx.lang), "ok": c.ok, "detail": c.detail}
            for c in (report.checks if report is not None else [])
        ],
        summary=report.summary() if report is not None else {},
        range_text=range_text(report),
    )


@router.get(PAGE)
def verify_form(ctx: ConsoleCtx) -> HTMLResponse:
    ctx.require(Resource.LEDGER)
    return _render(ctx, None)


def _viewer(request: Request) -> Viewer:
    """Who is uploading, from a short session that is closed before the body is read."""
    with request.app.state.psvis.sessions() as session:
        viewer = current_viewer(request, session)
    if viewer is None:
        raise LoginRequired
    if not viewer.may_read(Resource.LEDGER):
        raise Forbidden(f"role {viewer.principal.role.value} may not read ledger")
    return viewer


def _show(request: Request, viewer: Viewer, outcome: Outcome, status_code: int) -> HTMLResponse:
    with request.app.state.psvis.sessions() as session:
        ctx = Ctx(request=request, session=session, viewer=viewer, lang=page_language(request))
        return _render(ctx, outcome, status_code=status_code)


def _key(data: bytes, error: str) -> PublicKey:
    try:
        return PublicKey.from_pem(data)
    except LedgerKeyError as exc:
        raise UploadError(error, status_code=422) from exc


def _verify(received: Received, data_dir: Path) -> Outcome:
    """Check the form's choices, then run the verifier on the spooled package."""
    package = received.files.get("package")
    if package is None or package.path is None or package.size == 0:
        raise UploadError("verify.err_empty", status_code=422)
    uploaded = received.files.get("public_key")
    use_node = received.fields.get("use_node_key") == "1"
    if use_node and uploaded is not None and uploaded.size:
        raise UploadError("verify.err_both_keys", status_code=422)
    if use_node:
        key = node_public_key(data_dir)
        if key is None:
            raise UploadError("verify.err_node_key", status_code=422)
    elif uploaded is not None and uploaded.size:
        key = _key(uploaded.data, "verify.err_key")
    else:
        raise UploadError("verify.err_no_key", status_code=422)
    witness = received.files.get("witness_key")
    witnesses = (
        [_key(witness.data, "verify.err_witness_key")]
        if witness is not None and witness.size
        else []
    )
    with package.path.open("rb") as handle:
        if handle.read(4) not in (b"PK\x03\x04", b"PK\x05\x06"):
            raise UploadError("verify.err_not_zip", status_code=422)
    report = verify_package(package.path, key, witness_keys=witnesses)
    return Outcome(
        report=report,
        filename=package.filename,
        size=package.size,
        key_fingerprint=key.fingerprint,
    )


def _spool(data_dir: Path) -> Path:
    """A fresh private directory for one upload. Directories a crashed process left
    behind (older than :data:`STALE_SPOOL`) are removed first."""
    spool_root = data_dir / UPLOAD_DIR
    spool_root.mkdir(mode=0o700, parents=True, exist_ok=True)
    cutoff = time.time() - STALE_SPOOL.total_seconds()
    for old in spool_root.glob("verify-*"):
        try:
            if old.stat().st_mtime < cutoff:
                shutil.rmtree(old, ignore_errors=True)
        except FileNotFoundError:
            continue  # another upload's cleanup got there first
    return Path(tempfile.mkdtemp(prefix="verify-", dir=spool_root))


@router.post(PAGE)
async def verify_upload(request: Request) -> Response:
    viewer = await run_in_threadpool(_viewer, request)
    data_dir: Path = request.app.state.psvis.settings.data_dir
    directory = await run_in_threadpool(_spool, data_dir)

    def check_token(fields: dict[str, str]) -> None:
        sent = fields.get("csrf_token", "")
        if not sent or not secrets.compare_digest(sent, viewer.csrf_token):
            raise Forbidden("missing or wrong CSRF token")

    try:
        try:
            received = await receive(
                request,
                directory=directory,
                files={
                    "package": Part(MAX_PACKAGE_BYTES, to_disk=True),
                    "public_key": Part(MAX_KEY_BYTES),
                    "witness_key": Part(MAX_KEY_BYTES),
                },
                before_file=check_token,
            )
            check_token(received.fields)  # also when the form carried no file at all
            outcome = await run_in_threadpool(_verify, received, data_dir)
            status_code = 200
        except UploadError as exc:
            outcome = Outcome(error=exc.key, error_values=exc.values)
            status_code = exc.status_code
        except ClientDisconnect:
            return Response(status_code=400)  # the browser left; nobody reads an answer
    finally:
        await run_in_threadpool(shutil.rmtree, directory, True)
    return await run_in_threadpool(_show, request, viewer, outcome, status_code)
