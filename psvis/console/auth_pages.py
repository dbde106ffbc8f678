"""Sign-in and sign-out.

The sign-in form is protected by a double-submit CSRF token (a ``psvis_login_csrf``
cookie that must equal the hidden field); a successful sign-in revokes whatever session
the browser presented and issues a fresh one (no session fixation). Signed-in forms echo
the session's own CSRF token.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from psvis.api.deps import SESSION_COOKIE, DbSession, State
from psvis.auth import service as auth_service
from psvis.console.context import ConsoleCtx, current_viewer
from psvis.console.render import render_page, secure_cookies
from psvis.console.route import ConsoleRoute
from psvis.core.errors import Unauthenticated

router = APIRouter(route_class=ConsoleRoute)

LOGIN_CSRF_COOKIE = "psvis_login_csrf"
LOGIN_CSRF_MINUTES = 60

FormText = Annotated[str, Form(max_length=200)]


def safe_next(target: str | None) -> str:
    """Only a local path may be a post-login destination (no open redirect)."""
    if (
        not target
        or not target.startswith("/")
        or target.startswith(("//", "/\\"))
        or target.startswith("/login")
        or any(ch in target for ch in "\r\n\\")
    ):
        return "/"
    return target


def _login_form(
    request: Request,
    *,
    next_url: str = "/",
    error: str = "",
    until: str = "",
    status_code: int = 200,
    notice: str = "",
) -> HTMLResponse:
    """The sign-in form, with a pre-session CSRF token in a cookie and a hidden field."""
    token = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if len(token) < 32 or len(token) > 64:
        token = secrets.token_urlsafe(32)
    response = render_page(
        request,
        "login.html",
        status_code=status_code,
        viewer=None,
        csrf_token=token,
        next=safe_next(next_url),
        error=error,
        until=until,
        notice=notice,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=LOGIN_CSRF_MINUTES * 60,
        path="/login",
        httponly=True,
        samesite="strict",
        secure=secure_cookies(request),
    )
    return response


@router.get("/login")
def login_form(request: Request, session: DbSession) -> Response:
    if current_viewer(request, session) is not None:
        return RedirectResponse("/", status_code=303)
    notice = "login.signed_out" if request.query_params.get("out") == "1" else ""
    return _login_form(request, next_url=request.query_params.get("next", "/"), notice=notice)


@router.post("/login")
def login(
    request: Request,
    session: DbSession,
    state: State,
    username: FormText = "",
    password: FormText = "",
    csrf_token: FormText = "",
    next: FormText = "/",  # the form field's name
) -> Response:
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not csrf_token or not secrets.compare_digest(cookie, csrf_token):
        return _login_form(request, next_url=next, error="login.expired", status_code=403)
    settings = state.settings
    try:
        user = auth_service.authenticate(
            session,
            username=username.strip(),
            password=password,
            lockout_threshold=settings.lockout_threshold,
            lockout_minutes=settings.lockout_minutes,
        )
    except Unauthenticated as exc:
        # Returned, not raised: the failed-login count must be committed.
        locked = exc.details.get("locked_until")
        until = ""
        if locked:
            until = (
                f"{dt.datetime.fromisoformat(str(locked)).astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"
            )
        return _login_form(
            request,
            next_url=next,
            error="login.locked" if locked else "login.failed",
            until=until,
            status_code=401,
        )
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        auth_service.revoke_token(session, token=old)
    issued = auth_service.issue_token(
        session, user=user, kind="session", hours=settings.session_hours
    )
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        issued.token,
        max_age=settings.session_hours * 3600,
        path="/",
        httponly=True,
        samesite="strict",
        secure=settings.secure_cookies,
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(ctx: ConsoleCtx, csrf_token: FormText = "") -> Response:
    ctx.check_csrf(csrf_token)
    auth_service.revoke_token(ctx.session, token=ctx.viewer.session_token)
    response = RedirectResponse("/login?out=1", status_code=303)
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        httponly=True,
        samesite="strict",
        secure=secure_cookies(ctx.request),
    )
    return response
