"""What an import answers: counts per kind and every problem, located in the file.

Problems are collected, never raised one at a time, so whoever fixes the file sees them
all at once; the CLI prints them as ``sheet:row:column: message`` and the API returns
them as this model.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from psvis.registry.file_columns import KINDS, Kind, import_columns
from psvis.registry.validation import Problem

#: Enough for any file worth fixing by hand; bounds memory on a file of the wrong format.
MAX_LISTED = 100_000


class ImportIssue(BaseModel):
    """One problem, where it is in the file. ``row`` 0 means the file as a whole."""

    sheet: str
    row: int
    column: str
    message: str
    article: str | None = Field(
        default=None, description="The regulation's article when it refuses (Art. 9 …)."
    )
    article_zh: str | None = None

    def line(self) -> str:
        return f"{self.sheet}:{self.row}:{self.column}: {self.message}"


class ImportReport(BaseModel):
    """The outcome: ``ok`` only when every row passed; nothing is written otherwise."""

    ok: bool
    imported: bool = Field(description="Rows were written (false on errors and dry runs).")
    dry_run: bool = False
    legacy_survey: bool = False
    counts: dict[str, int] = Field(
        default_factory=dict, description="Rows per kind in the file (written when imported)."
    )
    error_count: int = 0
    errors: list[ImportIssue] = Field(
        default_factory=list, description=f"The problems, at most {MAX_LISTED:,} listed."
    )


class Issues:
    """Collects problems as the checks find them."""

    def __init__(self) -> None:
        self.items: list[ImportIssue] = []
        self.count = 0

    def __bool__(self) -> bool:
        return self.count > 0

    def add(
        self,
        sheet: str,
        row: int,
        column: str,
        message: str,
        *,
        article: str | None = None,
        article_zh: str | None = None,
    ) -> None:
        self.count += 1
        if len(self.items) < MAX_LISTED:
            self.items.append(
                ImportIssue(
                    sheet=sheet,
                    row=row,
                    column=column,
                    message=message,
                    article=article,
                    article_zh=article_zh,
                )
            )

    def problem(self, sheet: str, row: int, column: str, problem: Problem) -> None:
        """A :class:`~psvis.registry.validation.Problem` from the shared checks."""
        self.add(
            sheet,
            row,
            column,
            problem.message,
            article=problem.article or None,
            article_zh=problem.article_zh or None,
        )

    def sorted(self, sheet_kinds: dict[str, Kind]) -> list[ImportIssue]:
        """In file order: sheets in dependency order, then rows, then columns."""
        sheet_order = {kind: i for i, kind in enumerate(KINDS)}
        column_order = {
            kind: {c.name: i for i, c in enumerate(import_columns(kind))} for kind in KINDS
        }

        def key(issue: ImportIssue) -> tuple[int, int, int]:
            kind = sheet_kinds.get(issue.sheet)
            if kind is None:
                return (-1, issue.row, -1)
            return (sheet_order[kind], issue.row, column_order[kind].get(issue.column, -1))

        return sorted(self.items, key=key)
