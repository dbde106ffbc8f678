"""Monthly supervision reports (Art. 21): the services.

* :func:`monthly` — one jurisdiction's month as figures, on demand (a month not yet over
  is reported to date); :func:`render_xlsx` / :func:`render_pdf` print them.
* :func:`run_schedule` — the chore: from the 1st of a month on, the previous month's
  report of every jurisdiction is generated once and stored under
  ``<data_dir>/reports/<code>/<YYYY-MM>.{xlsx,pdf}`` with a row (unique per jurisdiction
  and month: idempotent, and two nodes cannot both store one) and a ledger entry with
  both files' SHA-256. A server that was down on the 1st catches up at its next tick.
* :func:`list_reports`, :func:`stored_file` — the stored reports, scoped; a stored file
  is served only while its bytes still hash to the row's SHA-256.

Who may: ``Resource.REPORT`` × READ — the police and the auditor of a jurisdiction read
its reports and those below it; any other jurisdiction's does not exist for them (404).

    figures = monthly(db, principal=chief, code="360102", month=dt.date(2026, 3, 1))
    pdf = render_pdf(figures)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from psvis.auth.policy import Action, Reach, Resource
from psvis.auth.principal import Principal
from psvis.console.i18n import translate
from psvis.core.errors import Conflict, NotFound
from psvis.core.timeutil import CHINA_TZ, utcnow
from psvis.custody.fonts import FontFace
from psvis.enforcement import acts, report_figures, report_pdf, report_rules, report_xlsx
from psvis.enforcement.cases import refused
from psvis.enforcement.report_models import MonthlyReport
from psvis.enforcement.report_schemas import ReportFigures
from psvis.registry.jurisdictions import list_all, subtree_codes
from psvis.registry.models import Jurisdiction
from psvis.registry.service import page

#: Where the schedule stores the files, under the data directory.
REPORT_DIR = "reports"
FORMATS = ("xlsx", "pdf")
MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def words_of(lang: str) -> report_xlsx.Words:
    """The report's words in ``lang``, from the console's catalog (one place for every
    label the console also shows: categories, ticket causes, provisions)."""
    return lambda key: translate(key, lang)


def jurisdiction_in_scope(session: Session, *, principal: Principal, code: str) -> Jurisdiction:
    """The jurisdiction whose reports the caller reads (404 outside reach)."""
    reach = principal.reach(Resource.REPORT, Action.READ)
    found = session.get(Jurisdiction, code)
    if found is None or (reach is not Reach.ALL and not principal.covers(code)):
        raise NotFound(f"jurisdiction {code} not found")
    return found


def monthly(
    session: Session,
    *,
    principal: Principal,
    code: str,
    month: dt.date,
    now: dt.datetime | None = None,
) -> ReportFigures:
    """The figures of ``code``'s ``month`` (its first day) as of ``now``."""
    jurisdiction = jurisdiction_in_scope(session, principal=principal, code=code)
    now = now or utcnow()
    decision = report_rules.may_report(month, today=now.astimezone(CHINA_TZ).date())
    if not decision.ok:
        raise refused(decision)
    return report_figures.collect(
        session,
        jurisdiction=jurisdiction,
        codes=subtree_codes(session, code),
        month=month,
        now=now,
    )


def render_xlsx(figures: ReportFigures, *, lang: str = "zh-CN") -> bytes:
    return report_xlsx.render(figures, words=words_of(lang))


def render_pdf(
    figures: ReportFigures, *, lang: str = "zh-CN", fonts: Sequence[FontFace] | None = None
) -> bytes:
    return report_pdf.render(figures, words=words_of(lang), fonts=fonts)


def file_name(code: str, month: dt.date, fmt: str) -> str:
    return f"psvis-report-{code}-{report_rules.month_label(month)}.{fmt}"


# --- the schedule --------------------------------------------------------------------------


def path_of(data_dir: Path, code: str, month: dt.date, fmt: str) -> Path:
    return data_dir / REPORT_DIR / code / f"{report_rules.month_label(month)}.{fmt}"


def _write(path: Path, data: bytes) -> None:
    """Temporary file, fsync, read-only, rename, fsync of the directory: a crash leaves
    the old file or the new one, never a partial one."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    handle, name = tempfile.mkstemp(prefix=".report-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(name, 0o400)
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


@dataclass(frozen=True, slots=True)
class Prepared:
    """A report generated and written to disk, not yet recorded."""

    jurisdiction_code: str
    month: dt.date
    figures: ReportFigures
    sha256: dict[str, str]
    size_bytes: dict[str, int]


def prepare_report(
    session: Session,
    *,
    jurisdiction: Jurisdiction,
    month: dt.date,
    data_dir: Path,
    now: dt.datetime,
    fonts: Sequence[FontFace] | None = None,
) -> Prepared:
    """Generate one report and write its files (reads only: no database write)."""
    figures = report_figures.collect(
        session,
        jurisdiction=jurisdiction,
        codes=subtree_codes(session, jurisdiction.code),
        month=month,
        now=now,
    )
    blobs = {"xlsx": render_xlsx(figures), "pdf": render_pdf(figures, fonts=fonts)}
    for fmt, data in blobs.items():
        _write(path_of(data_dir, jurisdiction.code, month, fmt), data)
    return Prepared(
        jurisdiction_code=jurisdiction.code,
        month=month,
        figures=figures,
        sha256={fmt: hashlib.sha256(data).hexdigest() for fmt, data in blobs.items()},
        size_bytes={fmt: len(data) for fmt, data in blobs.items()},
    )


def record_report(session: Session, prepared: Prepared, *, now: dt.datetime) -> MonthlyReport:
    """The row and the ledger entry of a prepared report (flushes; the caller commits).
    The files are written before the row: a crash in between leaves files without a
    row, which the next run overwrites."""
    row = MonthlyReport(
        jurisdiction_code=prepared.jurisdiction_code,
        month=prepared.month,
        generated_at=now,
        figures=prepared.figures.model_dump(mode="json"),
        xlsx_sha256=prepared.sha256["xlsx"],
        xlsx_size_bytes=prepared.size_bytes["xlsx"],
        pdf_sha256=prepared.sha256["pdf"],
        pdf_size_bytes=prepared.size_bytes["pdf"],
    )
    session.add(row)
    session.flush()
    acts.log(
        session,
        acts.Act.REPORT_STORED,
        at=now,
        report=row.id,
        jurisdiction=row.jurisdiction_code,
        month=report_rules.month_label(row.month),
        xlsx_sha256=row.xlsx_sha256,
        pdf_sha256=row.pdf_sha256,
        figures_sha256=acts.digest(row.figures),
    )
    return row


def run_schedule(
    session: Session,
    *,
    data_dir: Path,
    now: dt.datetime | None = None,
    fonts: Sequence[FontFace] | None = None,
    codes: Collection[str] | None = None,
) -> list[MonthlyReport]:
    """The chore: the previous month's report of every jurisdiction (or of ``codes``)
    that has none yet.
    Idempotent: a second run the same month stores nothing. Every report is generated
    (reads) before the first row is written: on SQLite the first write takes the lock
    the recorders need to seal segments, so it is held for the inserts only."""
    now = now or utcnow()
    today = now.astimezone(CHINA_TZ).date()
    month = report_rules.previous_month(today)
    if not report_rules.may_report(month, today=today).ok:
        return []
    done = set(
        session.scalars(select(MonthlyReport.jurisdiction_code).where(MonthlyReport.month == month))
    )
    prepared = [
        prepare_report(
            session, jurisdiction=j, month=month, data_dir=data_dir, now=now, fonts=fonts
        )
        for j in list_all(session)
        if j.code not in done and (codes is None or j.code in codes)
    ]
    return [record_report(session, p, now=now) for p in prepared]


# --- stored reports ----------------------------------------------------------------------------


def list_reports(
    session: Session,
    *,
    principal: Principal,
    jurisdiction_code: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[MonthlyReport], int]:
    reach = principal.reach(Resource.REPORT, Action.READ)
    stmt = select(MonthlyReport)
    if reach is not Reach.ALL:
        stmt = stmt.where(MonthlyReport.jurisdiction_code.in_(principal.covered_codes))
    if jurisdiction_code:
        stmt = stmt.where(MonthlyReport.jurisdiction_code == jurisdiction_code)
    stmt = stmt.order_by(MonthlyReport.month.desc(), MonthlyReport.jurisdiction_code)
    return page(session, stmt, limit=limit, offset=offset)


def get_report(session: Session, *, principal: Principal, report_id: int) -> MonthlyReport:
    row = session.get(MonthlyReport, report_id)
    if row is None:
        raise NotFound(f"report {report_id} not found")
    try:
        jurisdiction_in_scope(session, principal=principal, code=row.jurisdiction_code)
    except NotFound:
        raise NotFound(f"report {report_id} not found") from None
    return row


def stored_file(
    session: Session, *, principal: Principal, report_id: int, fmt: str, data_dir: Path
) -> tuple[MonthlyReport, bytes]:
    """A stored report's file, verified against its row (409 when the file on disk no
    longer hashes to what was recorded and logged: it is not served as the report)."""
    if fmt not in FORMATS:
        raise NotFound(f"no {fmt!r} file of a report")
    row = get_report(session, principal=principal, report_id=report_id)
    path = path_of(data_dir, row.jurisdiction_code, row.month, fmt)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise NotFound(f"the {fmt} file of report {report_id} is missing") from None
    expected = row.xlsx_sha256 if fmt == "xlsx" else row.pdf_sha256
    if hashlib.sha256(data).hexdigest() != expected:
        raise Conflict(
            f"the {fmt} file of report {report_id} does not match its recorded SHA-256",
            details={"expected_sha256": expected},
        )
    return row, data
