"""Query-string parsing shared by the list pages: filters, pagination."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Query

from psvis.core.errors import InvalidInput

E = TypeVar("E", bound=enum.Enum)

PAGE_SIZES = (20, 50, 100, 200)
DEFAULT_LIMIT = 50

Limit = Annotated[int, Query(ge=1, le=max(PAGE_SIZES))]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
#: Free text and select values arrive as strings ("" = no filter) and are parsed here,
#: so that an empty select option never fails validation.
Text = Annotated[str, Query(max_length=100)]
Choice = Annotated[str, Query(max_length=64)]


def enum_or_none(cls: type[E], raw: str) -> E | None:
    if not raw:
        return None
    try:
        return cls(raw)
    except ValueError as exc:
        raise InvalidInput(f"unknown {cls.__name__} {raw!r}") from exc


def code_or_none(raw: str) -> str | None:
    if not raw:
        return None
    if len(raw) != 6 or not raw.isdigit():
        raise InvalidInput(f"jurisdiction code {raw!r} is not six digits")
    return raw


@dataclass(frozen=True, slots=True)
class Pager:
    """Where a list page is: offsets of the previous and next pages, the shown range."""

    limit: int
    offset: int
    total: int

    @property
    def start(self) -> int:
        return min(self.offset + 1, self.total) if self.total else 0

    @property
    def end(self) -> int:
        return min(self.offset + self.limit, self.total)

    @property
    def prev_offset(self) -> int | None:
        return max(self.offset - self.limit, 0) if self.offset > 0 else None

    @property
    def next_offset(self) -> int | None:
        return self.offset + self.limit if self.offset + self.limit < self.total else None

    @property
    def sizes(self) -> tuple[int, ...]:
        return PAGE_SIZES


MAX_ID = 2_147_483_647


def id_or_none(raw: str) -> int | None:
    """A filter id from a query string; bounded like the API's ObjectId, so a 30-digit
    "id" is no id rather than a database driver overflow."""
    return int(raw) if raw.isdigit() and 0 < int(raw) <= MAX_ID else None
