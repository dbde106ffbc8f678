"""The console's route class: failures become HTML pages, not the API's JSON.

Every console route is a :class:`ConsoleRoute`, so a service error (404 outside scope,
403, 422), a malformed query string or a missing session becomes an HTML error page
(with the navigation when the visitor is signed in) or a redirect to the sign-in form.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import urlencode

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute

from psvis.console.context import Ctx, current_viewer
from psvis.console.render import LoginRequired, page_language, render_page
from psvis.core.errors import PsvisError

ERROR_CODES = (400, 403, 404, 409, 422)


def error_page(request: Request, status_code: int, message: str = "") -> HTMLResponse:
    """The error page; a signed-in visitor keeps the header and navigation."""
    code = status_code if status_code in ERROR_CODES else 400
    state = request.app.state.psvis
    with state.sessions() as session:
        viewer = current_viewer(request, session)
        if viewer is None:
            return render_page(
                request,
                "error.html",
                status_code=status_code,
                code=code,
                message=message,
                viewer=None,
            )
        ctx = Ctx(request=request, session=session, viewer=viewer, lang=page_language(request))
        return ctx.render("error.html", status_code=status_code, code=code, message=message)


def login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    query = urlencode({"next": target}) if target != "/" else ""
    return RedirectResponse(f"/login?{query}" if query else "/login", status_code=303)


class ConsoleRoute(APIRoute):
    """An APIRoute whose failures are HTML pages (or the sign-in redirect)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await original(request)
            except LoginRequired:
                return login_redirect(request)
            except RequestValidationError:
                return error_page(request, 400)
            except PsvisError as exc:
                return error_page(request, exc.status_code, exc.message)

        return handler
