"""Login, logout, who am I, and user administration."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, status

from psvis.api.deps import CurrentPrincipal, DbSession, ObjectId, State, permission, public
from psvis.auth import service, users
from psvis.auth.policy import Action, Resource
from psvis.auth.schemas import PrincipalRead, TokenRequest, TokenResponse, UserCreate, UserRead
from psvis.core.errors import Unauthenticated
from psvis.core.schemas import Page

router = APIRouter()


@router.post(
    "/auth/token",
    response_model=TokenResponse,
    **public("exchanges a username and password for a token; nothing to authenticate yet"),
)
def issue_token(session: DbSession, state: State, body: TokenRequest) -> TokenResponse:
    try:
        user = service.authenticate(
            session,
            username=body.username,
            password=body.password.get_secret_value(),
            lockout_threshold=state.settings.lockout_threshold,
            lockout_minutes=state.settings.lockout_minutes,
        )
    except Unauthenticated:
        session.commit()  # the failed-attempt counter must outlive the error response
        raise
    issued = service.issue_token(session, user=user, kind="api", hours=state.settings.session_hours)
    return TokenResponse(access_token=issued.token, expires_at=issued.expires_at)


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(request: Request, session: DbSession, principal: CurrentPrincipal) -> None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        service.revoke_token(session, token=header[7:].strip())


@router.get("/auth/me", response_model=PrincipalRead)
def me(principal: CurrentPrincipal) -> PrincipalRead:
    return PrincipalRead(
        user_id=principal.user_id,
        username=principal.username,
        display_name=principal.display_name,
        role=principal.role,
        jurisdiction_code=principal.jurisdiction_code,
        covered_codes=sorted(principal.covered_codes),
        unit_ids=sorted(principal.unit_ids),
        work_id=principal.work_id,
    )


@router.get("/users", response_model=Page[UserRead], **permission(Resource.USER, Action.READ))
def list_users(
    session: DbSession,
    principal: CurrentPrincipal,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    # Bounded like the registry lists: an offset past a 64-bit integer overflowed the
    # database driver (a 500); no list is anywhere near ten million rows.
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Page[UserRead]:
    rows, total = users.list_users(session, principal=principal, limit=limit, offset=offset)
    items = [UserRead.model_validate(r) for r in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.post(
    "/users",
    response_model=UserRead,
    status_code=status.HTTP_201_CREATED,
    **permission(Resource.USER, Action.CREATE),
)
def create_user(session: DbSession, principal: CurrentPrincipal, body: UserCreate) -> UserRead:
    return UserRead.model_validate(users.create_user(session, principal=principal, data=body))


@router.get("/users/{user_id}", response_model=UserRead, **permission(Resource.USER, Action.READ))
def get_user(session: DbSession, principal: CurrentPrincipal, user_id: ObjectId) -> UserRead:
    return UserRead.model_validate(users.get_user(session, principal=principal, user_id=user_id))
