"""Shared API schema pieces: strict base model, pagination, error body."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

T = TypeVar("T")

#: Ids are 32-bit INTEGER columns: a larger id in a body overflowed PostgreSQL (a 500).
MAX_ROW_ID = 2_147_483_647


def holds_nul(value: object) -> bool:
    """Whether a string anywhere in ``value`` (lists, sets, dict keys and values,
    secrets) contains NUL. Nested models check their own fields."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, SecretStr):
        return "\x00" in value.get_secret_value()
    if isinstance(value, list | tuple | set | frozenset):
        return any(holds_nul(item) for item in value)
    if isinstance(value, dict):
        return any(holds_nul(k) or holds_nul(v) for k, v in value.items())
    return False


class StrictModel(BaseModel):
    """Request bodies: unknown fields are an error, strings are stripped, and no string
    holds a NUL character — PostgreSQL text cannot store one (the request died with a
    500 there and was stored as-is on SQLite), and no name, number or reason needs it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if holds_nul(value):
            raise ValueError("must not contain NUL (\\x00) characters")
        return value


class ReadModel(BaseModel):
    """Response bodies, built from ORM rows."""

    model_config = ConfigDict(from_attributes=True)


class Page(BaseModel, Generic[T]):
    """One page of a list, with the total that matches the filters."""

    items: list[T]
    total: int = Field(description="Rows matching the filters, over all pages.")
    limit: int
    offset: int


class ErrorBody(BaseModel):
    code: str
    message: str
    details: dict[str, Any] | None = None


class ErrorResponse(BaseModel):
    error: ErrorBody
