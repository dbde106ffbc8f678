"""Request dependencies: the database session, the signed-in principal, permissions.

Authentication is the default: every router is mounted with :func:`current_principal`
unless it says why it is open (see ``x-public`` in the OpenAPI document).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, Path, Request
from sqlalchemy.orm import Session

from psvis.api.state import AppState
from psvis.auth import service as auth_service
from psvis.auth.policy import Action, Resource, reach_of
from psvis.auth.principal import Principal
from psvis.core.errors import Forbidden, InvalidInput, Unauthenticated

SESSION_COOKIE = "psvis_session"
CSRF_HEADER = "x-csrf-token"


def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.psvis
    return state


def db_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the route returns, rolled back on error."""
    session = app_state(request).sessions()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


DbSession = Annotated[Session, Depends(db_session, scope="function")]


def no_nul_in_url(request: Request) -> None:
    """Query and path values never hold NUL: PostgreSQL text cannot, so a filter with one
    died in the driver with a 500 (request bodies: :class:`~psvis.core.schemas.StrictModel`).
    Every route declares :func:`permission` or :func:`public`; both bring this check."""
    params = [*request.query_params.multi_items(), *request.path_params.items()]
    for name, value in params:
        if "\x00" in name or (isinstance(value, str) and "\x00" in value):
            raise InvalidInput(
                f"parameter {name.replace(chr(0), '?')!r} must not contain NUL (\\x00) characters"
            )


State = Annotated[AppState, Depends(app_state)]


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value:
        return value.strip()
    return None


def current_principal(request: Request, session: DbSession) -> Principal:
    """The caller, from a bearer token (API) or the console session cookie.

    Cookie-authenticated unsafe requests must echo the session's CSRF token in the
    ``X-CSRF-Token`` header (the console's forms and scripts do)."""
    token = _bearer(request)
    if token is not None:
        user, _row = auth_service.resolve_token(session, token=token, kind="api")
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        if not cookie:
            raise Unauthenticated("sign in first: missing bearer token or session cookie")
        user, row = auth_service.resolve_token(session, token=cookie, kind="session")
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            sent = request.headers.get(CSRF_HEADER, "")
            if not sent or sent != row.csrf_token:
                raise Forbidden("missing or wrong CSRF token")
    principal = auth_service.principal_for(session, user=user)
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]

#: A path id: positive and within a 32-bit INTEGER column, so hostile ids are a clear 422
#: rather than an overflow deep in a database driver.
ObjectId = Annotated[int, Path(ge=1, le=2_147_483_647)]


def permission(resource: Resource, action: Action) -> dict[str, Any]:
    """Decorator arguments declaring and enforcing a route's permission.

    Role-level refusal (403) happens here; object-level reach (404/403) in the service.
    The declaration is published in OpenAPI as ``x-permission`` so the authorization
    matrix test can read it."""

    def check(principal: CurrentPrincipal) -> None:
        if reach_of(principal.role, resource, action) is None:
            raise Forbidden(f"role {principal.role.value} may not {action.value} {resource.value}")

    return {
        # After the principal and the role: a stranger gets 401 whatever the URL holds.
        "dependencies": [Depends(check), Depends(no_nul_in_url)],
        "openapi_extra": {"x-permission": {"resource": resource.value, "action": action.value}},
    }


def public(reason: str) -> dict[str, Any]:
    """Decorator arguments for a route that is deliberately open, with the reason why."""
    return {"dependencies": [Depends(no_nul_in_url)], "openapi_extra": {"x-public": reason}}
