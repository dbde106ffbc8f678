"""The regulation's rules at their boundaries."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from psvis.compliance import rules
from psvis.compliance.constants import FILING_DEADLINE, IN_FORCE_DATE
from psvis.registry.enums import (
    AcceptanceResult,
    CameraRole,
    LifecycleState,
    SiteCategory,
)

D = dt.date


def facts(**overrides: object) -> rules.SystemFacts:
    base = rules.SystemFacts(
        id=1,
        site_id=1,
        state=LifecycleState.ACCEPTED,
        in_operation=True,
        signage_present=True,
        commissioned_on=D(2020, 1, 1),
        acceptance_result=AcceptanceResult.PASSED,
        acceptance_date=D(2019, 12, 20),
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


# --- Art. 17(4) ---------------------------------------------------------------------------


@pytest.mark.parametrize(("days", "ok"), [(0, False), (29, False), (30, True), (31, True)])
def test_retention_boundary(days: int, ok: bool) -> None:
    decision = rules.retention_allowed(days)
    assert decision.ok is ok
    assert decision.article == "Art. 17(4)"
    assert decision.article_zh == "第十七条第（四）项"


@pytest.mark.parametrize(("observed", "ok"), [(None, True), (29, False), (30, True), (7, False)])
def test_observed_retention_boundary(observed: int | None, ok: bool) -> None:
    decision = rules.observed_retention_sufficient(facts(observed_retention_days=observed))
    assert decision.ok is ok
    assert decision.penalty_article == "Art. 25(4)"


def test_observed_retention_ignored_for_removed_system() -> None:
    removed = facts(
        state=LifecycleState.REMOVED,
        in_operation=False,
        removed_on=D(2024, 1, 10),
        removal_notice_date=D(2024, 1, 1),
        observed_retention_days=3,
    )
    assert rules.observed_retention_sufficient(removed).ok


# --- Art. 9 -------------------------------------------------------------------------------


@pytest.mark.parametrize("category", list(SiteCategory))
def test_camera_placement_refused_exactly_at_privacy_sites(category: SiteCategory) -> None:
    decision = rules.camera_placement_allowed(category)
    assert decision.ok is (not category.value.startswith("art9_"))
    assert decision.article == "Art. 9"
    assert decision.article_zh == "第九条"


def test_privacy_category_list_is_the_five_kinds_of_art9() -> None:
    kinds = {c.value for c in SiteCategory if c.is_privacy}
    assert kinds == {
        "art9_dormitory",
        "art9_hotel_room",
        "art9_bathhouse",
        "art9_changing_room",
        "art9_toilet",
    }


# --- Art. 15 ------------------------------------------------------------------------------


@pytest.mark.parametrize(("gap", "ok"), [(0, False), (1, False), (2, False), (3, True), (10, True)])
def test_removal_notice_boundary(gap: int, ok: bool) -> None:
    notice = D(2025, 3, 1)
    removed = facts(
        state=LifecycleState.REMOVED,
        in_operation=False,
        removal_notice_date=notice,
        removed_on=notice + dt.timedelta(days=gap),
    )
    decision = rules.removal_properly_notified(removed)
    assert decision.ok is ok
    assert decision.penalty_article == "Art. 25(3)"
    if not ok:  # passing decisions carry no evidence (they are never stored)
        assert decision.evidence["days_between"] == gap


def test_removal_without_notice_is_a_finding() -> None:
    removed = facts(state=LifecycleState.REMOVED, in_operation=False, removed_on=D(2025, 1, 1))
    decision = rules.removal_properly_notified(removed)
    assert not decision.ok
    assert "without written notice" in decision.reason


def test_planned_removal_too_soon_is_a_finding_before_it_happens() -> None:
    notified = facts(
        state=LifecycleState.REMOVAL_NOTIFIED,
        removal_notice_date=D(2025, 3, 1),
        planned_removal_date=D(2025, 3, 3),
    )
    assert not rules.removal_properly_notified(notified).ok
    assert rules.removal_properly_notified(replace(notified, planned_removal_date=D(2025, 3, 4))).ok


def test_system_in_service_has_no_removal_finding() -> None:
    assert rules.removal_properly_notified(facts()).ok


# --- Art. 13: filing of pre-2016 systems --------------------------------------------------


def legacy(filed: dt.date | None) -> rules.SystemFacts:
    return facts(
        state=LifecycleState.PLANNED,
        acceptance_result=None,
        acceptance_date=None,
        commissioned_on=D(2014, 6, 1),
        filing_date=filed,
    )


@pytest.mark.parametrize(("day", "ok"), [(1, True), (89, True), (90, True), (91, False)])
def test_filing_deadline_day_90_in_time_day_91_late(day: int, ok: bool) -> None:
    filed = IN_FORCE_DATE + dt.timedelta(days=day)
    assert rules.legacy_system_filed(legacy(filed)).ok is ok


def test_filing_deadline_is_2016_12_30() -> None:
    assert dt.date(2016, 12, 30) == FILING_DEADLINE
    assert rules.legacy_system_filed(legacy(D(2016, 12, 30))).ok
    assert not rules.legacy_system_filed(legacy(D(2016, 12, 31))).ok


def test_unfiled_legacy_system_is_a_finding_and_new_systems_need_no_filing() -> None:
    assert not rules.legacy_system_filed(legacy(None)).ok
    assert rules.legacy_system_filed(facts(commissioned_on=D(2016, 10, 1))).ok
    assert not rules.legacy_system_filed(facts(commissioned_on=D(2016, 9, 30))).ok


# --- Art. 13: use before acceptance --------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "in_operation", "ok"),
    [
        (LifecycleState.PLANNED, True, False),
        (LifecycleState.BUILDING, True, False),
        (LifecycleState.ACCEPTANCE_PENDING, True, False),
        (LifecycleState.ACCEPTANCE_PENDING, False, True),
        (LifecycleState.ACCEPTED, True, True),
        (LifecycleState.REMOVAL_NOTIFIED, True, True),
    ],
)
def test_use_before_acceptance(state: LifecycleState, in_operation: bool, ok: bool) -> None:
    system = facts(state=state, in_operation=in_operation, commissioned_on=D(2022, 1, 1))
    assert rules.used_only_after_acceptance(system).ok is ok


def test_legacy_system_in_use_is_judged_by_filing_not_acceptance() -> None:
    system = legacy(D(2016, 11, 1))
    assert rules.used_only_after_acceptance(system).ok
    assert system.lawfully_operating


# --- Art. 10 ------------------------------------------------------------------------------


def test_signage_required_once_installed_not_while_planned() -> None:
    assert not rules.signage_present(facts(signage_present=False)).ok
    planned = facts(state=LifecycleState.PLANNED, in_operation=False, signage_present=False)
    assert rules.signage_present(planned).ok
    pending = facts(
        state=LifecycleState.ACCEPTANCE_PENDING, in_operation=False, signage_present=False
    )
    assert not rules.signage_present(pending).ok


# --- Art. 8 -------------------------------------------------------------------------------


def test_mandatory_site_needs_operating_accepted_system_with_covering_camera() -> None:
    cat = SiteCategory.ART8_4
    good = facts()
    assert rules.mandatory_site_covered(cat, [good], {1: [CameraRole.ENTRANCE]}).ok
    assert rules.mandatory_site_covered(cat, [good], {1: [CameraRole.KEY_SPOT]}).ok
    # no system at all
    none = rules.mandatory_site_covered(cat, [], {})
    assert not none.ok
    assert none.article == "Art. 8(4)"
    assert none.penalty_article == "Art. 24"
    # only an "other" camera
    assert not rules.mandatory_site_covered(cat, [good], {1: [CameraRole.OTHER]}).ok
    # system not accepted
    building = facts(state=LifecycleState.BUILDING)
    assert not rules.mandatory_site_covered(cat, [building], {1: [CameraRole.ENTRANCE]}).ok
    # accepted but switched off
    off = facts(in_operation=False)
    assert not rules.mandatory_site_covered(cat, [off], {1: [CameraRole.ENTRANCE]}).ok


def test_non_mandatory_site_is_never_an_art8_finding() -> None:
    assert rules.mandatory_site_covered(SiteCategory.OTHER, [], {}).ok


@pytest.mark.parametrize("category", [c for c in SiteCategory if c.is_mandatory])
def test_every_art8_category_is_mandatory(category: SiteCategory) -> None:
    assert not rules.mandatory_site_covered(category, [], {}).ok


# --- lifecycle ----------------------------------------------------------------------------

S = LifecycleState


@pytest.mark.parametrize(
    ("current", "target", "ok"),
    [
        (S.PLANNED, S.BUILDING, True),
        (S.PLANNED, S.ACCEPTED, False),
        (S.BUILDING, S.ACCEPTANCE_PENDING, True),
        (S.BUILDING, S.ACCEPTED, False),
        (S.ACCEPTANCE_PENDING, S.ACCEPTED, True),
        (S.ACCEPTANCE_PENDING, S.BUILDING, True),
        (S.ACCEPTED, S.REMOVAL_NOTIFIED, True),
        (S.ACCEPTED, S.REMOVED, False),
        (S.REMOVAL_NOTIFIED, S.REMOVED, True),
        (S.REMOVAL_NOTIFIED, S.ACCEPTED, True),
        (S.REMOVED, S.ACCEPTED, False),
        (S.REMOVED, S.PLANNED, False),
    ],
)
def test_lifecycle_edges(current: LifecycleState, target: LifecycleState, ok: bool) -> None:
    assert rules.transition_allowed(current, target).ok is ok


def test_every_finding_rule_is_listed() -> None:
    assert set(rules.FINDING_RULES) == {
        "art8_mandatory_site_uncovered",
        "art9_privacy_site_camera",
        "art10_no_signage",
        "art13_used_before_acceptance",
        "art13_legacy_not_filed",
        "art15_removal_notice",
        "art17_4_retention_below_30",
    }
