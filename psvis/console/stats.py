"""Counts for the overview, each one a scoped service call (never an unscoped query)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from psvis.auth.policy import Action, Resource
from psvis.auth.principal import Principal
from psvis.compliance import service as compliance
from psvis.registry import cameras, service, systems

#: Article prefixes the overview and the findings filter group findings by.
ARTICLES = ("Art. 8", "Art. 9", "Art. 10", "Art. 13", "Art. 15", "Art. 17", "Art. 20")


@dataclass(frozen=True, slots=True)
class DistrictRow:
    code: str
    sites: int
    systems: int
    cameras: int
    open_findings: int | None


@dataclass(frozen=True, slots=True)
class Overview:
    counts: dict[str, int]
    findings_by_article: list[tuple[str, int]]
    findings_open: int | None
    findings_other: int
    districts: list[DistrictRow]


def _may(principal: Principal, resource: Resource) -> bool:
    return principal.may(resource, Action.READ)


def registry_counts(
    session: Session, principal: Principal, *, jurisdiction_code: str | None = None
) -> dict[str, int]:
    """Units, sites, systems, cameras the principal reaches (only those it may read)."""
    p, code = principal, jurisdiction_code
    counts: dict[str, int] = {}
    if _may(p, Resource.UNIT):
        counts["units"] = service.list_units(session, principal=p, jurisdiction_code=code, limit=1)[
            1
        ]
    if _may(p, Resource.SITE):
        counts["sites"] = service.list_sites(session, principal=p, jurisdiction_code=code, limit=1)[
            1
        ]
    if _may(p, Resource.SYSTEM):
        counts["systems"] = systems.list_systems(
            session, principal=p, jurisdiction_code=code, limit=1
        )[1]
    if _may(p, Resource.CAMERA):
        counts["cameras"] = cameras.list_cameras(
            session, principal=p, jurisdiction_code=code, limit=1
        )[1]
    return counts


def open_findings(
    session: Session,
    principal: Principal,
    *,
    article: str | None = None,
    jurisdiction_code: str | None = None,
) -> int:
    return compliance.list_findings(
        session,
        principal=principal,
        status="open",
        article=article,
        jurisdiction_code=jurisdiction_code,
        limit=1,
    )[1]


def overview(session: Session, principal: Principal, district_codes: list[str]) -> Overview:
    counts = registry_counts(session, principal)
    by_article: list[tuple[str, int]] = []
    total: int | None = None
    other = 0
    may_findings = _may(principal, Resource.FINDING)
    if may_findings:
        by_article = [(a, open_findings(session, principal, article=a)) for a in ARTICLES]
        total = open_findings(session, principal)
        other = max(total - sum(n for _, n in by_article), 0)
    districts: list[DistrictRow] = []
    for code in district_codes:
        per = registry_counts(session, principal, jurisdiction_code=code)
        row = DistrictRow(
            code=code,
            sites=per.get("sites", 0),
            systems=per.get("systems", 0),
            cameras=per.get("cameras", 0),
            open_findings=open_findings(session, principal, jurisdiction_code=code)
            if may_findings
            else None,
        )
        if row.sites or row.systems or row.cameras or row.open_findings or principal.covered_codes:
            districts.append(row)
    return Overview(
        counts=counts,
        findings_by_article=by_article,
        findings_open=total,
        findings_other=other,
        districts=districts,
    )
