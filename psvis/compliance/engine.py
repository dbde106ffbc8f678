"""The compliance check: run every finding rule over the registry, in bulk.

Facts are read with a handful of column queries (no ORM objects per row) so a city of
100,000 cameras is checked in about a second; the rules themselves stay pure.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from psvis.compliance import rules
from psvis.registry.enums import PRIVACY_CATEGORIES, CameraRole, SiteCategory
from psvis.registry.models import Camera, Site, System


@dataclass(frozen=True, slots=True)
class Violation:
    """A failed decision bound to its subject and to who answers for it."""

    decision: rules.Decision
    subject_type: str
    subject_id: int
    jurisdiction_code: str
    unit_id: int | None

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.decision.rule, self.subject_type, self.subject_id)


def _system_facts(session: Session) -> list[tuple[rules.SystemFacts, str, int]]:
    rows = session.execute(
        select(
            System.id,
            System.site_id,
            System.state,
            System.in_operation,
            System.signage_present,
            System.commissioned_on,
            System.acceptance_result,
            System.acceptance_date,
            System.filing_date,
            System.removal_notice_date,
            System.planned_removal_date,
            System.removed_on,
            System.observed_retention_days,
            System.jurisdiction_code,
            System.user_unit_id,
        )
    )
    out = []
    for r in rows:
        facts = rules.SystemFacts(
            id=r.id,
            site_id=r.site_id,
            state=r.state,
            in_operation=r.in_operation,
            signage_present=r.signage_present,
            commissioned_on=r.commissioned_on,
            acceptance_result=r.acceptance_result,
            acceptance_date=r.acceptance_date,
            filing_date=r.filing_date,
            removal_notice_date=r.removal_notice_date,
            planned_removal_date=r.planned_removal_date,
            removed_on=r.removed_on,
            observed_retention_days=r.observed_retention_days,
        )
        out.append((facts, r.jurisdiction_code, r.user_unit_id))
    return out


def evaluate(session: Session) -> Iterator[Violation]:
    """Every violation in the registry now. Read-only."""
    systems = _system_facts(session)
    systems_by_site: dict[int, list[rules.SystemFacts]] = defaultdict(list)
    for facts, jurisdiction, user_unit in systems:
        systems_by_site[facts.site_id].append(facts)
        for decision in (
            rules.signage_present(facts),
            rules.used_only_after_acceptance(facts),
            rules.legacy_system_filed(facts),
            rules.removal_properly_notified(facts),
            rules.observed_retention_sufficient(facts),
        ):
            if not decision.ok:
                yield Violation(decision, "system", facts.id, jurisdiction, user_unit)

    roles: dict[int, set[CameraRole]] = defaultdict(set)
    for system_id, role in session.execute(
        select(Camera.system_id, Camera.role).where(Camera.enabled.is_(True)).distinct()
    ):
        roles[system_id].add(role)

    mandatory = [c for c in SiteCategory if c.is_mandatory]
    for site_id, category, jurisdiction, unit_id in session.execute(
        select(Site.id, Site.category, Site.jurisdiction_code, Site.responsible_unit_id).where(
            Site.category.in_(mandatory)
        )
    ):
        decision = rules.mandatory_site_covered(category, systems_by_site.get(site_id, []), roles)
        if not decision.ok:
            yield Violation(decision, "site", site_id, jurisdiction, unit_id)

    for camera_id, gb_id, category, jurisdiction, unit_id in session.execute(
        select(
            Camera.id, Camera.gb_id, Site.category, Camera.jurisdiction_code, System.user_unit_id
        )
        .join(System, Camera.system_id == System.id)
        .join(Site, System.site_id == Site.id)
        .where(Site.category.in_(PRIVACY_CATEGORIES))
    ):
        decision = rules.privacy_site_has_no_camera(category, gb_id)
        if not decision.ok:
            yield Violation(decision, "camera", camera_id, jurisdiction, unit_id)
