"""Importing a registry file (CSV or XLSX): all rows checked first, then all or nothing.

A bureau registers thousands of existing installations from survey spreadsheets. The
file is read (:mod:`~psvis.registry.files`), every row is checked with the same rules as
the API (:mod:`~psvis.registry.import_rows`, :mod:`~psvis.registry.import_checks`) and
every problem is reported at once with its sheet, row and column. Only a file without a
single problem is written (:mod:`~psvis.registry.import_write`), in the caller's
transaction, so a half-imported file cannot exist.

    report = import_file(session, principal=p, path_or_bytes=Path("survey.xlsx"),
                         box=box, camera_type_codes=("131", "132"))
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeAlias

from sqlalchemy.orm import Session
from tqdm import tqdm

from psvis.auth.policy import Action, Resource
from psvis.auth.principal import Principal
from psvis.core.secrets import SecretBox
from psvis.registry.file_columns import Kind
from psvis.registry.files import FileProblem, Limits, base_name, read_table
from psvis.registry.import_checks import Checker
from psvis.registry.import_report import ImportIssue, ImportReport, Issues
from psvis.registry.import_rows import Candidate, parse_sheet
from psvis.registry.import_write import write

#: ``progress(phase, done, total)`` with phase "read", "check" or "write" (total None
#: while reading), or a tqdm bar that is reset for each phase.
ProgressCallback: TypeAlias = Callable[[str, int, int | None], object]
Progress: TypeAlias = "ProgressCallback | tqdm[Any]"

__all__ = ["ImportIssue", "ImportReport", "Limits", "Progress", "import_file"]


class _Phases:
    """Feeds a callback or a tqdm bar the same way."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.phase, self.done = "", 0
        self.total: int | None = None

    def start(self, phase: str, total: int | None) -> None:
        self.phase, self.done, self.total = phase, 0, total
        if isinstance(self.progress, tqdm):
            self.progress.reset(total=total)
            self.progress.set_description(phase)
        elif self.progress is not None:
            self.progress(phase, 0, total)

    def advance(self, rows: int) -> None:
        if rows <= 0:
            return
        self.done += rows
        if isinstance(self.progress, tqdm):
            self.progress.update(rows)
        elif self.progress is not None:
            self.progress(self.phase, self.done, self.total)


def import_file(
    session: Session,
    *,
    principal: Principal,
    path_or_bytes: Path | bytes,
    kind: Kind | None = None,
    legacy_survey: bool = False,
    dry_run: bool = False,
    box: SecretBox,
    camera_type_codes: Iterable[str],
    progress: Progress | None = None,
    filename: str | None = None,
    limits: Limits | None = None,
) -> ImportReport:
    """Check every row of the file, then write all of it, or nothing when any row fails.

    ``legacy_survey`` records existing installations as found: a camera at an Art. 9
    privacy site is admitted (marked ``origin="legacy_survey"``, like every camera of the
    survey) so the compliance check reports it, instead of being refused. ``dry_run``
    checks and reports without writing. Raises
    :class:`~psvis.core.errors.Forbidden` when the principal may not import at all.
    """
    principal.reach(Resource.REGISTRY_FILE, Action.IMPORT)
    phases = _Phases(progress)
    issues = Issues()
    if filename:
        name = base_name(filename)
    else:
        name = path_or_bytes.name if isinstance(path_or_bytes, Path) else ""
    phases.start("read", None)
    try:
        sheets = read_table(
            path_or_bytes, filename=name, kind=kind, limits=limits, on_rows=phases.advance
        )
    except FileProblem as exc:
        issues.add(exc.sheet or name or kind or "file", exc.row, exc.column, exc.message)
        return _report(issues, {}, {}, dry_run=dry_run, legacy_survey=legacy_survey)
    sheet_kinds = {s.name: s.kind for s in sheets}
    phases.start("check", 2 * sum(len(s.rows) for s in sheets))
    parsed: dict[Kind, list[Candidate]] = {
        s.kind: parse_sheet(s, issues, on_rows=phases.advance) for s in sheets
    }
    checker = Checker(
        session,
        principal=principal,
        issues=issues,
        camera_type_codes=camera_type_codes,
        legacy_survey=legacy_survey,
    )
    checker.run(parsed, on_rows=phases.advance)
    if issues or dry_run:
        return _report(issues, parsed, sheet_kinds, dry_run=dry_run, legacy_survey=legacy_survey)
    phases.start("write", sum(len(rows) for rows in parsed.values()))
    write(
        session,
        parsed=parsed,
        targets=checker.targets,
        box=box,
        legacy_survey=legacy_survey,
        on_rows=phases.advance,
    )
    return _report(
        issues, parsed, sheet_kinds, dry_run=False, legacy_survey=legacy_survey, imported=True
    )


def _report(
    issues: Issues,
    parsed: dict[Kind, list[Candidate]],
    sheet_kinds: dict[str, Kind],
    *,
    dry_run: bool,
    legacy_survey: bool,
    imported: bool = False,
) -> ImportReport:
    return ImportReport(
        ok=not issues,
        imported=imported,
        dry_run=dry_run,
        legacy_survey=legacy_survey,
        counts={kind: len(rows) for kind, rows in parsed.items()},
        error_count=issues.count,
        errors=issues.sorted(dict(sheet_kinds)),
    )
