"""Art. 18-19 decisions without a database: every way each rule refuses, and the edges of
half-open intervals."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

from psvis.auth.policy import POLICY, Action, Resource, Role
from psvis.compliance.rules import Decision
from psvis.custody import rules
from psvis.custody.enums import CustodyAction, DepartmentKind, RequestState

T = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
HOME, AWAY, CITY = "360102", "360103", "360100"
ALL = frozenset({CITY, HOME, AWAY})


def s(seconds: float) -> dt.datetime:
    return T + dt.timedelta(seconds=seconds)


def approve(**changes: Any) -> Decision:
    facts: dict[str, Any] = {
        "state": RequestState.REQUESTED,
        "department_kind": DepartmentKind.POLICE,
        "legal_basis": "",
        "requester_id": 1,
        "approver_id": 2,
        "approver_role": Role.CHIEF,
        "approver_level": "district",
        "approver_covers": frozenset({HOME}),
        "camera_codes": [HOME, HOME],
    }
    facts.update(changes)
    return rules.may_approve(**facts)


# --- may_approve ------------------------------------------------------------------------------


def test_a_district_chief_approves_a_request_in_the_district() -> None:
    decision = approve()
    assert decision.ok
    assert decision.article == "Art. 18"


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"state": RequestState.APPROVED}, "art18_pending"),
        ({"state": RequestState.REJECTED}, "art18_pending"),
        ({"state": RequestState.EXPIRED}, "art18_pending"),
        ({"state": RequestState.CLOSED}, "art18_pending"),
        *[({"approver_role": role}, "art18_chief") for role in Role if role is not Role.CHIEF],
        ({"approver_level": None}, "art18_county_level"),
        ({"approver_level": "township"}, "art18_county_level"),
        ({"approver_id": 1}, "art18_not_requester"),
        ({"camera_codes": [AWAY]}, "art18_jurisdiction"),
        ({"camera_codes": [HOME, AWAY]}, "art18_jurisdiction"),
        ({"camera_codes": []}, "art18_jurisdiction"),
        ({"department_kind": DepartmentKind.OTHER}, "art18_legal_basis"),
        ({"department_kind": DepartmentKind.OTHER, "legal_basis": "   "}, "art18_legal_basis"),
    ],
)
def test_may_approve_refusals(changes: dict[str, Any], rule: str) -> None:
    decision = approve(**changes)
    assert not decision.ok
    assert decision.rule == rule
    assert decision.article.startswith("Art. 18")
    assert decision.penalty_article == "Art. 26(2)"


def test_a_city_chief_covers_every_district_and_two_district_requests() -> None:
    assert approve(approver_level="city", approver_covers=ALL, camera_codes=[HOME, AWAY]).ok
    partial = approve(camera_codes=[HOME, AWAY])
    assert partial.evidence == {"outside": [AWAY]}


def test_another_department_with_its_legal_basis() -> None:
    decision = approve(department_kind=DepartmentKind.OTHER, legal_basis="《行政处罚法》第55条")
    assert decision.ok


def test_release_hold_is_the_same_chief_rule_in_any_state() -> None:
    facts: dict[str, Any] = {
        "held": True,
        "department_kind": DepartmentKind.POLICE,
        "legal_basis": "",
        "requester_id": 1,
        "approver_id": 2,
        "approver_role": Role.CHIEF,
        "approver_level": "district",
        "approver_covers": frozenset({HOME}),
        "camera_codes": [HOME],
    }
    assert rules.may_release_hold(**facts).ok
    assert rules.may_release_hold(**{**facts, "held": False}).rule == "art18_hold_placed"
    assert rules.may_release_hold(**{**facts, "approver_id": 1}).rule == "art18_not_requester"
    assert rules.may_release_hold(**{**facts, "approver_role": Role.OFFICER}).rule == "art18_chief"
    assert rules.may_release_hold(**{**facts, "camera_codes": [AWAY]}).rule == "art18_jurisdiction"


def test_approver_table_names_only_chiefs() -> None:
    assert set(rules.APPROVER_ROLES) == set(DepartmentKind)
    for roles in rules.APPROVER_ROLES.values():
        assert roles == {Role.CHIEF}
    # The policy table agrees: only chiefs may decide at all.
    assert set(POLICY[(Resource.CUSTODY_REQUEST, Action.APPROVE)]) == {Role.CHIEF}


# --- session_may_open -----------------------------------------------------------------------


def officer(user_id: int, **changes: Any) -> rules.Officer:
    facts: dict[str, Any] = {
        "user_id": user_id,
        "role": Role.OFFICER,
        "work_id": f"36010200{user_id}",
        "active": True,
        "covers_scope": True,
    }
    facts.update(changes)
    return rules.Officer(**facts)


def open_(**changes: Any) -> Decision:
    facts: dict[str, Any] = {
        "state": RequestState.APPROVED,
        "valid_from": s(0),
        "valid_until": s(3600),
        "now": s(60),
        "officer_a": officer(1),
        "officer_b": officer(2),
        "b_password_ok": True,
        "b_totp_ok": True,
    }
    facts.update(changes)
    return rules.session_may_open(**facts)


def test_two_authenticated_officers_open_a_session() -> None:
    assert open_().ok
    assert open_(now=s(0)).ok  # the window's first instant
    for role in rules.EXECUTING_ROLES:
        assert open_(officer_a=officer(1, role=role), officer_b=officer(2, role=role)).ok


@pytest.mark.parametrize(
    ("changes", "rule", "article"),
    [
        ({"state": RequestState.REQUESTED}, "art18_approved", "Art. 18"),
        ({"state": RequestState.REJECTED}, "art18_approved", "Art. 18"),
        ({"state": RequestState.EXPIRED}, "art18_approved", "Art. 18"),
        ({"state": RequestState.CLOSED}, "art18_approved", "Art. 18"),
        ({"now": s(3600)}, "art18_validity", "Art. 18"),  # half-open: the end is outside
        ({"now": s(-1)}, "art18_validity", "Art. 18"),
        ({"officer_b": officer(1)}, "art19_two_officers", "Art. 19(1)"),
        ({"officer_b": officer(2, role=Role.AUDITOR)}, "art19_police_officers", "Art. 19(1)"),
        ({"officer_a": officer(1, role=Role.UNIT_ADMIN)}, "art19_police_officers", "Art. 19(1)"),
        ({"officer_b": officer(2, role=Role.OTHER_DEPT)}, "art19_police_officers", "Art. 19(1)"),
        ({"officer_b": officer(2, active=False)}, "art19_police_officers", "Art. 19(1)"),
        ({"officer_b": officer(2, work_id="")}, "art19_work_ids", "Art. 19(2)"),
        ({"officer_a": officer(1, work_id="  ")}, "art19_work_ids", "Art. 19(2)"),
        ({"b_password_ok": False}, "art19_second_officer_authenticated", "Art. 19"),
        ({"b_totp_ok": False}, "art19_second_officer_authenticated", "Art. 19"),
        ({"officer_a": officer(1, covers_scope=False)}, "art4_officer_jurisdiction", "Art. 4"),
        ({"officer_b": officer(2, covers_scope=False)}, "art4_officer_jurisdiction", "Art. 4"),
    ],
)
def test_session_refusals(changes: dict[str, Any], rule: str, article: str) -> None:
    decision = open_(**changes)
    assert not decision.ok
    assert (decision.rule, decision.article) == (rule, article)


# --- access_allowed ---------------------------------------------------------------------------


def access(**changes: Any) -> Decision:
    facts: dict[str, Any] = {
        "is_officer": True,
        "session_open": True,
        "state": RequestState.APPROVED,
        "valid_from": s(0),
        "valid_until": s(3600),
        "now": s(60),
        "approved_actions": [CustodyAction.VIEW.value],
        "action": Action.PLAYBACK,
        "camera_in_scope": True,
        "intervals": [(s(-600), s(-300))],
        "start": s(-500),
        "end": s(-400),
    }
    facts.update(changes)
    return rules.access_allowed(**facts)


def test_inside_the_scope_is_allowed() -> None:
    assert access().ok
    assert access(start=s(-600), end=s(-300)).ok  # exactly the interval


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"is_officer": False}, "art19_session_officer"),
        ({"session_open": False}, "art19_session_open"),
        ({"state": RequestState.CLOSED}, "art18_validity"),
        ({"state": RequestState.EXPIRED}, "art18_validity"),
        ({"now": s(3600)}, "art18_validity"),
        ({"now": s(-1)}, "art18_validity"),
        ({"action": Action.EXPORT}, "art18_action"),
        ({"action": Action.LIVE}, "art18_action"),
        ({"approved_actions": []}, "art18_action"),
        ({"approved_actions": ["direct_access"]}, "art18_action"),
        ({"camera_in_scope": False, "intervals": []}, "art18_camera"),
        ({"start": s(-601)}, "art18_range"),
        ({"end": s(-299)}, "art18_range"),
        ({"start": s(-300), "end": s(-200)}, "art18_range"),  # touches the end only
    ],
)
def test_access_refusals(changes: dict[str, Any], rule: str) -> None:
    decision = access(**changes)
    assert not decision.ok
    assert decision.rule == rule


def test_gate_actions_map_request_actions() -> None:
    for approved, action, ok in [
        ({"view"}, Action.PLAYBACK, True),
        ({"copy"}, Action.EXPORT, True),
        ({"retrieve"}, Action.EXPORT, True),
        ({"copy"}, Action.PLAYBACK, False),
        ({"view", "direct_access"}, Action.EXPORT, False),
    ]:
        assert access(approved_actions=approved, action=action).ok is ok, (approved, action)


def test_adjacent_and_overlapping_intervals_merge() -> None:
    parts = [(s(10), s(20)), (s(0), s(10)), (s(15), s(30)), (s(40), s(50))]
    assert rules.merge(parts) == [(s(0), s(30)), (s(40), s(50))]
    assert rules.covered(s(5), s(25), parts)
    assert not rules.covered(s(25), s(45), parts)  # a hole [30, 40)
    assert rules.covered(s(40), s(50), parts)
    assert not rules.covered(s(40), s(50.001), parts)
    assert rules.merge([]) == []
    assert not rules.covered(s(0), s(1), [])


def test_covered_agrees_with_a_brute_force_model() -> None:
    """Every [a, b) over a small grid against second-by-second coverage."""
    parts = [(s(1), s(3)), (s(3), s(4)), (s(6), s(8))]
    seconds = {
        t
        for start, end in parts
        for t in range(int((start - T).total_seconds()), int((end - T).total_seconds()))
    }
    for a, b in itertools.combinations(range(10), 2):
        assert rules.covered(s(a), s(b), parts) == all(t in seconds for t in range(a, b)), (a, b)


def test_within_is_half_open() -> None:
    assert rules.within(s(0), s(0), s(1))
    assert not rules.within(s(1), s(0), s(1))
