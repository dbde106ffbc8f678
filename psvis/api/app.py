"""The app factory. Nothing is created at import: the lifespan builds the engine from
the settings it is given and disposes of it at shutdown.

    app = create_app(Settings(data_dir=Path("var")))
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse

from psvis import __version__
from psvis.api.deps import current_principal
from psvis.api.state import AppState
from psvis.auth.routes import router as auth_router
from psvis.compliance.routes import router as compliance_router
from psvis.console.routes import router as console_router
from psvis.core.config import Settings
from psvis.core.db import make_engine, make_session_factory
from psvis.core.errors import PsvisError
from psvis.core.migrate import ensure_current
from psvis.core.periodic import Periodic
from psvis.core.secrets import SecretBox
from psvis.custody import service as custody_service
from psvis.custody.routes import router as custody_router
from psvis.enforcement import reports as enforcement_reports
from psvis.enforcement.routes import router as enforcement_router
from psvis.health.chore import run_cycle as health_cycle
from psvis.health.routes import router as health_router
from psvis.ledger.routes import router as ledger_router
from psvis.ledger.service import LedgerKeeper
from psvis.recording.media_routes import router as media_router
from psvis.registry.file_routes import router as registry_file_router
from psvis.registry.routes import router as registry_router

API_PREFIX = "/api/v1"
log = logging.getLogger("psvis.api")

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
        "style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'; "
        "form-action 'self'; base-uri 'none'"
    ),
    "Cross-Origin-Opener-Policy": "same-origin",
}


def build_state(settings: Settings) -> AppState:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url())
    ensure_current(engine)
    return AppState(
        settings=settings,
        engine=engine,
        sessions=make_session_factory(engine),
        box=SecretBox.from_data_dir(settings.data_dir),
    )


def api_router() -> APIRouter:
    """Every API route. Authenticated by default; the token route is the one exception
    and says so (``x-public``)."""
    router = APIRouter(prefix=API_PREFIX)
    router.include_router(auth_router)  # mixes the open token route with closed ones
    secured = [Depends(current_principal)]
    router.include_router(registry_router, dependencies=secured)
    router.include_router(registry_file_router, dependencies=secured)
    router.include_router(compliance_router, dependencies=secured)
    router.include_router(media_router, dependencies=secured)
    router.include_router(custody_router, dependencies=secured)
    router.include_router(enforcement_router, dependencies=secured)
    router.include_router(health_router, dependencies=secured)
    router.include_router(ledger_router)  # open checkpoint routes (x-public) beside closed ones
    return router


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the ASGI app for ``settings`` (default: read from the environment)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state = build_state(settings)
        app.state.psvis = state
        # Entries the API writes (configuration changes, custody acts) get into the log
        # and under a signed checkpoint from here; recorders run their own keeper.
        keeper = LedgerKeeper(
            sessions=state.sessions,
            data_dir=settings.data_dir,
            node_name=settings.node_name,
            interval=settings.checkpoint_seconds,
        )
        keeper.start()
        chores = [
            # Art. 18: an approved request past its validity is written down as expired
            # (its sessions close, a ledger entry each); reads never wait for this.
            Periodic(
                name="custody-expiry",
                interval=settings.housekeeping_seconds,
                sessions=state.sessions,
                chore=lambda session: custody_service.expire_due(session),
            ),
            # Art. 17(3): diagnose recording cameras from their newest segments, open and
            # close fault tickets, file overdue / scene-shift / occlusion findings.
            Periodic(
                name="health",
                interval=settings.vqd_cadence_seconds,
                sessions=state.sessions,
                chore=lambda session: health_cycle(session, settings=settings),
            ),
            # Art. 21: from the 1st of a month, last month's report of every jurisdiction
            # is generated once and stored under data_dir/reports (idempotent).
            Periodic(
                name="enforcement-reports",
                interval=settings.housekeeping_seconds,
                sessions=state.sessions,
                chore=lambda session: enforcement_reports.run_schedule(
                    session, data_dir=settings.data_dir
                ),
            ),
        ]
        for chore in chores:
            chore.start()
        log.info("psvis %s serving, settings=%s", __version__, settings.describe())
        try:
            yield
        finally:
            for chore in chores:
                chore.stop()
            keeper.stop()
            state.engine.dispose()

    app = FastAPI(
        title="psvis",
        version=__version__,
        summary="Public security video image information system platform",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.include_router(api_router())
    app.include_router(console_router)

    @app.exception_handler(PsvisError)
    async def psvis_error(_request: Request, exc: PsvisError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
        return JSONResponse({"error": exc.to_dict()}, status_code=exc.status_code, headers=headers)

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for key, value in SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        if request.url.path.startswith(API_PREFIX):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    return app
