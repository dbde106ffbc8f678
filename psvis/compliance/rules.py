"""The regulation's decisions, as pure functions of facts.

Each function takes plain facts (no database, no clock unless passed in) and returns a
:class:`Decision` that names the article it rests on. Registration paths call the
*refusal* rules (Art. 9, Art. 17(4)) and refuse when ``ok`` is false; the compliance
check calls the *finding* rules over the whole registry and persists what fails.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from psvis.compliance.constants import (
    FILING_DEADLINE,
    IN_FORCE_DATE,
    MIN_RETENTION_DAYS,
    REMOVAL_NOTICE_DAYS,
)
from psvis.registry.enums import (
    COVERING_ROLES,
    AcceptanceResult,
    CameraRole,
    LifecycleState,
    SiteCategory,
)


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of one rule for one subject."""

    ok: bool
    rule: str
    article: str
    article_zh: str
    reason: str
    #: The article under which a breach is punished (Chapter 4), if any.
    penalty_article: str = ""
    evidence: dict[str, Any] = field(default_factory=dict)


def _decide(
    ok: bool,
    *,
    rule: str,
    article: str,
    article_zh: str,
    reason: str,
    penalty_article: str = "",
    evidence: dict[str, Any] | None = None,
) -> Decision:
    return Decision(
        ok=ok,
        rule=rule,
        article=article,
        article_zh=article_zh,
        reason=reason,
        penalty_article=penalty_article,
        evidence=evidence or {},
    )


_PASSED: dict[tuple[str, str], Decision] = {}


def _passed(*, rule: str, article: str, article_zh: str, penalty_article: str = "") -> Decision:
    """The shared passing decision of a rule. The compliance check calls each finding rule
    for every subject in the city; building reasons and evidence only for failures keeps
    a 100,000-camera check well inside its budget."""
    key = (rule, article)
    found = _PASSED.get(key)
    if found is None:
        found = _PASSED[key] = Decision(
            ok=True,
            rule=rule,
            article=article,
            article_zh=article_zh,
            reason="",
            penalty_article=penalty_article,
        )
    return found


# --- facts -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SystemFacts:
    """What the rules need to know about a system."""

    id: int
    site_id: int
    state: LifecycleState
    in_operation: bool
    signage_present: bool
    commissioned_on: dt.date | None = None
    acceptance_result: AcceptanceResult | None = None
    acceptance_date: dt.date | None = None
    filing_date: dt.date | None = None
    removal_notice_date: dt.date | None = None
    planned_removal_date: dt.date | None = None
    removed_on: dt.date | None = None
    observed_retention_days: int | None = None

    @property
    def is_legacy(self) -> bool:
        """Built and commissioned before the regulation came into force (Art. 13, 28)."""
        return self.commissioned_on is not None and self.commissioned_on < IN_FORCE_DATE

    @property
    def is_accepted(self) -> bool:
        return self.state in (LifecycleState.ACCEPTED, LifecycleState.REMOVAL_NOTIFIED)

    @property
    def lawfully_operating(self) -> bool:
        """In operation after passing acceptance, or a pre-2016 system that has been filed."""
        if not self.in_operation or self.state == LifecycleState.REMOVED:
            return False
        if self.is_accepted:
            return True
        return self.is_legacy and self.filing_date is not None

    @property
    def physically_present(self) -> bool:
        """Installed on site (so signage is due): built or running, not yet removed."""
        return self.in_operation or self.state in (
            LifecycleState.ACCEPTANCE_PENDING,
            LifecycleState.ACCEPTED,
            LifecycleState.REMOVAL_NOTIFIED,
        )


# --- refusal rules: called before anything is written -----------------------------------


def retention_allowed(retention_days: int) -> Decision:
    """Art. 17(4): footage must be kept at least 30 days; less is refused."""
    return _decide(
        retention_days >= MIN_RETENTION_DAYS,
        rule="art17_4_retention_minimum",
        article="Art. 17(4)",
        article_zh="第十七条第（四）项",
        reason=(
            f"retention of {retention_days} days is below the statutory minimum of "
            f"{MIN_RETENTION_DAYS} days"
        ),
        penalty_article="Art. 25(4)",
        evidence={"retention_days": retention_days, "minimum_days": MIN_RETENTION_DAYS},
    )


def camera_placement_allowed(category: SiteCategory) -> Decision:
    """Art. 9: no camera inside dormitories, hotel rooms, bathhouses, changing rooms, toilets."""
    return _decide(
        not category.is_privacy,
        rule="art9_privacy_site_camera",
        article="Art. 9",
        article_zh="第九条",
        reason=f"a camera may not be installed at a {category.value} site (personal privacy)",
        evidence={"site_category": category.value},
    )


_TRANSITIONS: dict[LifecycleState, frozenset[LifecycleState]] = {
    LifecycleState.PLANNED: frozenset({LifecycleState.BUILDING}),
    LifecycleState.BUILDING: frozenset({LifecycleState.ACCEPTANCE_PENDING}),
    # A failed acceptance sends the system back to building (Art. 13: use only after passing).
    LifecycleState.ACCEPTANCE_PENDING: frozenset(
        {LifecycleState.ACCEPTED, LifecycleState.BUILDING}
    ),
    LifecycleState.ACCEPTED: frozenset({LifecycleState.REMOVAL_NOTIFIED}),
    # Removal may be called off, returning the system to service.
    LifecycleState.REMOVAL_NOTIFIED: frozenset({LifecycleState.REMOVED, LifecycleState.ACCEPTED}),
    LifecycleState.REMOVED: frozenset(),
}


def transition_allowed(current: LifecycleState, target: LifecycleState) -> Decision:
    """Art. 13 and 15: the lifecycle moves only along its documented edges."""
    allowed = _TRANSITIONS[current]
    return _decide(
        target in allowed,
        rule="lifecycle_transition",
        article="Art. 13, Art. 15",
        article_zh="第十三条、第十五条",
        reason=(
            f"a system cannot go from {current.value} to {target.value}; allowed: "
            f"{', '.join(sorted(s.value for s in allowed)) or 'none'}"
        ),
        evidence={"from": current.value, "to": target.value},
    )


def operation_allowed(system: SystemFacts) -> Decision:
    """Art. 13: a system may be put into use only after passing acceptance (or, if it
    predates the regulation, after filing)."""
    ok = system.is_accepted or (system.is_legacy and system.state != LifecycleState.REMOVED)
    return _decide(
        ok,
        rule="art13_use_before_acceptance",
        article="Art. 13",
        article_zh="第十三条",
        reason=f"system in state {system.state.value} has not passed acceptance",
        evidence={"state": system.state.value},
    )


# --- finding rules: run over the registry by the compliance check ------------------------


def mandatory_site_covered(
    category: SiteCategory,
    systems: Sequence[SystemFacts],
    camera_roles_by_system: Mapping[int, Iterable[CameraRole]],
) -> Decision:
    """Art. 8: a mandatory site needs an accepted, operating system with a camera at an
    entrance, passage or key spot. Breach punished under Art. 24."""
    rule = "art8_mandatory_site_uncovered"
    article = (
        f"Art. 8({category.value.removeprefix('art8_')})" if category.is_mandatory else "Art. 8"
    )
    if not category.is_mandatory:
        return _passed(rule=rule, article=article, article_zh="第八条", penalty_article="Art. 24")
    operating = [s for s in systems if s.lawfully_operating]
    roles: set[CameraRole] = set()
    for system in operating:
        roles.update(camera_roles_by_system.get(system.id, ()))
    covering = sorted(r.value for r in roles if r in COVERING_ROLES)
    if covering:
        return _passed(rule=rule, article=article, article_zh="第八条", penalty_article="Art. 24")
    return _decide(
        False,
        rule=rule,
        article=article,
        article_zh="第八条",
        reason=(
            "mandatory site has no accepted, operating system with a camera at an entrance, "
            "passage or key spot"
        ),
        penalty_article="Art. 24",
        evidence={
            "category": category.value,
            "systems": [{"id": s.id, "state": s.state.value} for s in systems],
            "operating_system_ids": [s.id for s in operating],
            "covering_roles": covering,
        },
    )


def privacy_site_has_no_camera(category: SiteCategory, camera_gb_id: str) -> Decision:
    """Art. 9, for cameras already installed (legacy survey): each one is a finding."""
    base = camera_placement_allowed(category)
    return _decide(
        base.ok,
        rule="art9_privacy_site_camera",
        article=base.article,
        article_zh=base.article_zh,
        reason=f"camera {camera_gb_id} is installed at a {category.value} site (personal privacy)",
        evidence={"site_category": category.value, "gb_id": camera_gb_id},
    )


def signage_present(system: SystemFacts) -> Decision:
    """Art. 10: an installed system carries visible signage. Breach: Art. 25(1)."""
    if system.signage_present or not system.physically_present:
        return _passed(
            rule="art10_no_signage",
            article="Art. 10",
            article_zh="第十条",
            penalty_article="Art. 25(1)",
        )
    return _decide(
        False,
        rule="art10_no_signage",
        article="Art. 10",
        article_zh="第十条",
        reason="installed system has no visible signage",
        penalty_article="Art. 25(1)",
        evidence={"state": system.state.value, "in_operation": system.in_operation},
    )


def used_only_after_acceptance(system: SystemFacts) -> Decision:
    """Art. 13: in use before passing acceptance (legacy systems are judged by filing)."""
    if not system.in_operation or system.is_legacy or system.is_accepted:
        return _passed(
            rule="art13_used_before_acceptance", article="Art. 13", article_zh="第十三条"
        )
    return _decide(
        False,
        rule="art13_used_before_acceptance",
        article="Art. 13",
        article_zh="第十三条",
        reason="system is in operation but has not passed completion acceptance",
        evidence={
            "state": system.state.value,
            "acceptance_result": system.acceptance_result.value
            if system.acceptance_result
            else None,
        },
    )


def legacy_system_filed(system: SystemFacts) -> Decision:
    """Art. 13 + 28: a system built before 2016-10-01 must be filed by 2016-12-30
    (90 days after entry into force; filing on day 90 is in time, day 91 is late)."""
    if (
        not system.is_legacy
        or system.state == LifecycleState.REMOVED
        or (system.filing_date is not None and system.filing_date <= FILING_DEADLINE)
    ):
        return _passed(rule="art13_legacy_not_filed", article="Art. 13", article_zh="第十三条")
    ok = False
    days = (system.filing_date - IN_FORCE_DATE).days if system.filing_date else None
    return _decide(
        ok,
        rule="art13_legacy_not_filed",
        article="Art. 13",
        article_zh="第十三条",
        reason=(
            "system built before 2016-10-01 was not filed"
            if system.filing_date is None
            else f"system built before 2016-10-01 was filed {days} days after 2016-10-01 "
            f"(deadline {FILING_DEADLINE.isoformat()})"
        ),
        evidence={
            "commissioned_on": system.commissioned_on.isoformat()
            if system.commissioned_on
            else None,
            "filing_date": system.filing_date.isoformat() if system.filing_date else None,
            "deadline": FILING_DEADLINE.isoformat(),
        },
    )


def removal_properly_notified(system: SystemFacts) -> Decision:
    """Art. 15: written notice at least 3 days before removal. Breach: Art. 25(3).

    Applies to removed systems (the act happened) and to notified removals whose planned
    date is already too close to the notice (the plan itself breaches)."""
    notice = system.removal_notice_date
    if system.state == LifecycleState.REMOVED and system.removed_on is not None:
        removal_day: dt.date | None = system.removed_on
    elif system.state == LifecycleState.REMOVAL_NOTIFIED:
        removal_day = system.planned_removal_date
    else:
        removal_day = None
    if removal_day is None or (
        notice is not None and (removal_day - notice).days >= REMOVAL_NOTICE_DAYS
    ):
        return _passed(
            rule="art15_removal_notice",
            article="Art. 15",
            article_zh="第十五条",
            penalty_article="Art. 25(3)",
        )
    if notice is None:
        ok, reason, gap = False, "system removed without written notice", None
    else:
        gap = (removal_day - notice).days
        ok = gap >= REMOVAL_NOTICE_DAYS
        reason = f"removal {gap} days after notice; at least {REMOVAL_NOTICE_DAYS} required"
    return _decide(
        ok,
        rule="art15_removal_notice",
        article="Art. 15",
        article_zh="第十五条",
        reason=reason,
        penalty_article="Art. 25(3)",
        evidence={
            "notice_date": notice.isoformat() if notice else None,
            "removal_date": removal_day.isoformat() if removal_day else None,
            "days_between": gap,
        },
    )


def observed_retention_sufficient(system: SystemFacts) -> Decision:
    """Art. 17(4) for what a unit's own recorder actually keeps (surveyed or inspected):
    psvis's own retention can never be set below 30 days, but a unit's DVR can."""
    observed = system.observed_retention_days
    if observed is None or observed >= MIN_RETENTION_DAYS or not system.physically_present:
        return _passed(
            rule="art17_4_retention_below_30",
            article="Art. 17(4)",
            article_zh="第十七条第（四）项",
            penalty_article="Art. 25(4)",
        )
    return _decide(
        False,
        rule="art17_4_retention_below_30",
        article="Art. 17(4)",
        article_zh="第十七条第（四）项",
        reason=f"the unit's recorder keeps {observed} days; at least {MIN_RETENTION_DAYS} required",
        penalty_article="Art. 25(4)",
        evidence={"observed_retention_days": observed, "minimum_days": MIN_RETENTION_DAYS},
    )


#: Every rule the compliance check runs, for docs and for the "all rules present" test.
FINDING_RULES = (
    "art8_mandatory_site_uncovered",
    "art9_privacy_site_camera",
    "art10_no_signage",
    "art13_used_before_acceptance",
    "art13_legacy_not_filed",
    "art15_removal_notice",
    "art17_4_retention_below_30",
)
