"""Auth API schemas. Password hashes and tokens' hashes are never part of a response."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field, SecretStr

from psvis.auth.policy import Role
from psvis.core.schemas import MAX_ROW_ID, ReadModel, StrictModel


class TokenRequest(StrictModel):
    username: str = Field(min_length=1, max_length=64)
    password: SecretStr = Field(min_length=1, max_length=256)


class TokenResponse(ReadModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_at: dt.datetime


class PrincipalRead(ReadModel):
    user_id: int
    username: str
    display_name: str
    role: Role
    jurisdiction_code: str | None
    covered_codes: list[str]
    unit_ids: list[int]
    work_id: str


class UserCreate(StrictModel):
    username: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.]+$")
    password: SecretStr = Field(min_length=10, max_length=256)
    role: Role
    jurisdiction_code: str | None = Field(default=None, pattern=r"^\d{6}$")
    unit_ids: list[Annotated[int, Field(ge=1, le=MAX_ROW_ID)]] = Field(
        default_factory=list, max_length=100
    )
    display_name: str = Field(default="", max_length=100)
    work_id: str = Field(default="", max_length=32)
    department: str = Field(default="", max_length=100)


class UserRead(ReadModel):
    id: int
    username: str
    display_name: str
    role: Role
    jurisdiction_code: str | None
    work_id: str
    department: str
    active: bool
    created_at: dt.datetime
