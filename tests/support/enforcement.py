"""Building enforcement cases for tests: a unit whose system lacks signage, the
compliance check's finding of it (Art. 10 → Art. 25(1)), and the police of its district."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass

from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from psvis.auth.models import User
from psvis.auth.policy import Role
from psvis.compliance import service as compliance
from psvis.compliance.models import Finding
from psvis.ledger import entries
from psvis.ledger.models import LedgerEntry
from psvis.registry.models import Unit
from tests.support.factories import Registry


@dataclass
class World:
    unit: Unit
    finding: Finding
    officer: User
    chief: User
    away_officer: User
    away_chief: User


def signage_world(
    registry: Registry,
    *,
    jurisdiction: str = "360102",
    officer: str | None = None,
    chief: str | None = None,
) -> World:
    """A unit in ``jurisdiction`` with an operating system without signage, the open
    ``art10_no_signage`` finding on it, and police at home and in 360103."""
    unit = registry.unit(jurisdiction=jurisdiction, name="某银行东湖支行")
    site = registry.site(unit=unit)
    system = registry.system(site=site, unit=unit, signage=False)
    registry.camera(system=system)
    compliance.run_check(registry.session)
    finding = registry.session.scalars(
        select(Finding).where(Finding.rule == "art10_no_signage", Finding.subject_id == system.id)
    ).one()
    world = World(
        unit=unit,
        finding=finding,
        officer=registry.user(
            role=Role.OFFICER, jurisdiction=jurisdiction, username=officer, work_id="036102"
        ),
        chief=registry.user(
            role=Role.CHIEF, jurisdiction=jurisdiction, username=chief, work_id="036001"
        ),
        away_officer=registry.user(role=Role.OFFICER, jurisdiction="360103"),
        away_chief=registry.user(role=Role.CHIEF, jurisdiction="360103"),
    )
    registry.session.commit()
    return world


def acts(db: Session) -> list[dict[str, object]]:
    """The enforcement ledger entries, oldest first, decoded."""
    rows = db.scalars(
        select(LedgerEntry.entry)
        .where(LedgerEntry.type == str(entries.EntryType.ENFORCEMENT))
        .order_by(LedgerEntry.id)
    )
    return [entries.decode(bytes(r)) for r in rows]


def pdf_text(pdf: bytes) -> str:
    """All pages' text without whitespace (pypdf spaces out fpdf2's CJK glyphs)."""
    reader = PdfReader(io.BytesIO(pdf))
    return "".join(re.sub(r"[\s\x00]", "", page.extract_text()) for page in reader.pages)


def china_noon(day: dt.date) -> dt.datetime:
    """Noon of a China civil day, as aware UTC (04:00Z)."""
    return dt.datetime(day.year, day.month, day.day, 4, 0, tzinfo=dt.UTC)
