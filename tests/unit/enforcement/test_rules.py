"""Art. 23-26 without a database: each procedure path, each refusal at its boundary
(999 / 1,000 / 1,001 yuan; 200 / 201 for the manager; the day before, of and after the
deadline), and the article every refusal names."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from psvis.compliance.rules import Decision
from psvis.enforcement import rules
from psvis.enforcement.enums import Basis, CaseState, Procedure, Step

ORDERED_ON = dt.date(2026, 3, 1)
DEADLINE = dt.date(2026, 3, 15)
AFTER = DEADLINE + dt.timedelta(days=1)

ORDER_FIRST = [b for b, p in rules.PROVISIONS.items() if p.procedure is Procedure.ORDER_FIRST]
AT_ONCE = [b for b, p in rules.PROVISIONS.items() if p.procedure is Procedure.ORDER_AND_FINE]


def facts(basis: Basis = Basis.ART25_1, **changes: Any) -> rules.CaseFacts:
    values: dict[str, Any] = {"basis": basis, "state": CaseState.OPEN}
    values.update(changes)
    return rules.CaseFacts(**values)


def not_corrected(basis: Basis = Basis.ART25_1, **changes: Any) -> rules.CaseFacts:
    """An Art. 24/25 case whose re-check the day after the deadline failed."""
    values: dict[str, Any] = {
        "state": CaseState.NOT_CORRECTED,
        "ordered_on": ORDERED_ON,
        "deadline": DEADLINE,
        "failed_recheck_on": AFTER,
    }
    values.update(changes)
    return facts(basis, **values)


def fine(case: rules.CaseFacts, amount: int = 500, **changes: Any) -> Decision:
    values: dict[str, Any] = {
        "fine_yuan": amount,
        "manager_fine_yuan": 0,
        "refer_public_order": False,
        "refer_criminal": False,
        "today": AFTER,
    }
    values.update(changes)
    return rules.may_decide(case, **values)


# --- the provisions table ---------------------------------------------------------------------


def test_every_basis_has_its_provision_with_the_statutory_caps() -> None:
    assert set(rules.PROVISIONS) == set(Basis)
    for basis in ORDER_FIRST + AT_ONCE:
        assert rules.PROVISIONS[basis].unit_cap_yuan == 1000
    assert rules.PROVISIONS[Basis.ART24].manager_cap_yuan == 200
    assert [b for b in Basis if rules.PROVISIONS[b].manager_cap_yuan is not None] == [Basis.ART24]
    assert sorted(ORDER_FIRST) == sorted(
        [Basis.ART24, Basis.ART25_1, Basis.ART25_2, Basis.ART25_3, Basis.ART25_4]
    )
    assert sorted(AT_ONCE) == sorted([Basis.ART26_1, Basis.ART26_2, Basis.ART26_3])
    art23 = rules.PROVISIONS[Basis.ART23]
    assert art23.unit_cap_yuan is None
    assert art23.procedure is Procedure.OTHER_LAW


def test_findings_penalty_articles_map_to_provisions() -> None:
    # compliance/rules.py names these penalty articles on its findings.
    assert rules.BY_ARTICLE["Art. 24"] is Basis.ART24
    assert rules.BY_ARTICLE["Art. 25(1)"] is Basis.ART25_1
    assert rules.BY_ARTICLE["Art. 25(3)"] is Basis.ART25_3
    assert rules.BY_ARTICLE["Art. 25(4)"] is Basis.ART25_4
    assert rules.BY_ARTICLE["Art. 26(2)"] is Basis.ART26_2


# --- opening (Art. 23) ------------------------------------------------------------------------


def test_an_art23_case_must_name_the_other_law() -> None:
    refused = rules.may_open(basis=Basis.ART23, other_law="  ")
    assert (refused.ok, refused.rule, refused.article) == (
        False,
        "art23_other_law_named",
        "Art. 23",
    )
    assert rules.may_open(basis=Basis.ART23, other_law="中华人民共和国治安管理处罚法").ok


def test_another_law_is_cited_only_in_an_art23_case() -> None:
    refused = rules.may_open(basis=Basis.ART25_2, other_law="广告法")
    assert (refused.ok, refused.rule, refused.article) == (False, "art23_other_law_only", "Art. 23")
    assert rules.may_open(basis=Basis.ART25_2, other_law="").ok


# --- the order --------------------------------------------------------------------------------


@pytest.mark.parametrize("basis", ORDER_FIRST)
def test_order_first_needs_a_deadline_after_today(basis: Basis) -> None:
    article = rules.PROVISIONS[basis].article
    missing = rules.may_order(facts(basis), deadline=None, today=ORDERED_ON)
    assert (missing.ok, missing.rule, missing.article) == (
        False,
        "order_deadline_required",
        article,
    )
    today = rules.may_order(facts(basis), deadline=ORDERED_ON, today=ORDERED_ON)
    assert (today.ok, today.rule) == (False, "order_deadline_future")
    assert rules.may_order(
        facts(basis), deadline=ORDERED_ON + dt.timedelta(days=1), today=ORDERED_ON
    ).ok


@pytest.mark.parametrize("basis", AT_ONCE)
def test_art26_has_no_separate_order(basis: Basis) -> None:
    decision = rules.may_order(facts(basis), deadline=DEADLINE, today=ORDERED_ON)
    assert (decision.ok, decision.rule) == (False, "order_with_fine")
    assert decision.article == rules.PROVISIONS[basis].article


@pytest.mark.parametrize("state", [s for s in CaseState if s is not CaseState.OPEN])
def test_an_order_is_issued_once_on_an_open_case(state: CaseState) -> None:
    decision = rules.may_order(facts(state=state), deadline=DEADLINE, today=ORDERED_ON)
    assert (decision.ok, decision.rule) == (False, "order_state")


# --- the re-check --------------------------------------------------------------------------------


def ordered(basis: Basis = Basis.ART25_1) -> rules.CaseFacts:
    return facts(basis, state=CaseState.ORDERED, ordered_on=ORDERED_ON, deadline=DEADLINE)


@pytest.mark.parametrize(
    ("checked_on", "ok"),
    [(DEADLINE - dt.timedelta(days=1), False), (DEADLINE, False), (AFTER, True)],
)
def test_a_failed_recheck_counts_only_after_the_deadline(checked_on: dt.date, ok: bool) -> None:
    decision = rules.may_recheck(ordered(), checked_on=checked_on, corrected=False, today=AFTER)
    assert decision.ok is ok
    if not ok:
        assert (decision.rule, decision.article) == ("recheck_failed_before_deadline", "Art. 25(1)")


def test_a_passing_recheck_may_come_inside_the_period() -> None:
    assert rules.may_recheck(ordered(), checked_on=ORDERED_ON, corrected=True, today=ORDERED_ON).ok


def test_recheck_dates_are_neither_future_nor_before_the_order() -> None:
    future = rules.may_recheck(ordered(), checked_on=AFTER, corrected=True, today=DEADLINE)
    assert future.rule == "recheck_date_future"
    early = rules.may_recheck(
        ordered(), checked_on=ORDERED_ON - dt.timedelta(days=1), corrected=True, today=AFTER
    )
    assert early.rule == "recheck_before_order"


def test_no_recheck_without_an_order() -> None:
    decision = rules.may_recheck(facts(), checked_on=AFTER, corrected=False, today=AFTER)
    assert (decision.ok, decision.rule) == (False, "recheck_state")


# --- the fine: procedure ----------------------------------------------------------------------


@pytest.mark.parametrize("basis", ORDER_FIRST)
def test_order_first_without_an_order_is_refused(basis: Basis) -> None:
    decision = fine(facts(basis))
    assert (decision.ok, decision.rule) == (False, "decide_no_order")
    assert decision.article == rules.PROVISIONS[basis].article


@pytest.mark.parametrize(
    ("today", "rule"),
    [
        (DEADLINE - dt.timedelta(days=1), "decide_before_deadline"),
        (DEADLINE, "decide_before_deadline"),
        (AFTER, "decide_no_failed_recheck"),
    ],
)
def test_no_fine_on_an_ordered_case_before_the_deadline_or_without_a_failed_recheck(
    today: dt.date, rule: str
) -> None:
    decision = fine(ordered(), today=today)
    assert (decision.ok, decision.rule, decision.article) == (False, rule, "Art. 25(1)")


@pytest.mark.parametrize(
    ("today", "ok"), [(DEADLINE - dt.timedelta(days=1), False), (DEADLINE, False), (AFTER, True)]
)
def test_fine_one_day_before_on_and_after_the_deadline(today: dt.date, ok: bool) -> None:
    # Even with a failed re-check on record, no path fines inside the period.
    case = not_corrected(failed_recheck_on=min(today, AFTER))
    decision = fine(case, today=today)
    assert decision.ok is ok, decision
    if not ok:
        assert decision.rule == "decide_before_deadline"


def test_failed_vs_passed_recheck() -> None:
    assert fine(not_corrected()).ok
    corrected = facts(
        state=CaseState.CORRECTED, ordered_on=ORDERED_ON, deadline=DEADLINE, failed_recheck_on=None
    )
    decision = fine(corrected)
    assert (decision.ok, decision.rule) == (False, "decide_corrected")


@pytest.mark.parametrize("state", [CaseState.DECIDED, CaseState.CLOSED])
def test_no_second_decision(state: CaseState) -> None:
    assert fine(not_corrected(state=state)).rule == "decide_state"


# --- the fine: caps ---------------------------------------------------------------------------


@pytest.mark.parametrize("basis", ORDER_FIRST + AT_ONCE)
@pytest.mark.parametrize(("amount", "ok"), [(999, True), (1000, True), (1001, False)])
def test_unit_cap_1000_yuan(basis: Basis, amount: int, ok: bool) -> None:
    case = not_corrected(basis) if basis in ORDER_FIRST else facts(basis)
    decision = fine(case, amount)
    assert decision.ok is ok
    assert decision.article == rules.PROVISIONS[basis].article
    if not ok:
        assert decision.rule == "decide_unit_cap"
        assert decision.evidence["cap_yuan"] == 1000


@pytest.mark.parametrize(("amount", "ok"), [(199, True), (200, True), (201, False)])
def test_art24_manager_cap_200_yuan(amount: int, ok: bool) -> None:
    case = not_corrected(Basis.ART24, manager_name="张某")
    decision = fine(case, 1000, manager_fine_yuan=amount)
    assert decision.ok is ok
    assert decision.article == "Art. 24"
    if not ok:
        assert decision.rule == "decide_manager_cap"


def test_art24_manager_fine_needs_the_manager_named() -> None:
    decision = fine(not_corrected(Basis.ART24), 100, manager_fine_yuan=50)
    assert (decision.ok, decision.rule) == (False, "decide_manager_named")


@pytest.mark.parametrize("basis", [b for b in ORDER_FIRST + AT_ONCE if b is not Basis.ART24])
def test_only_art24_fines_the_manager(basis: Basis) -> None:
    case = not_corrected(basis, manager_name="张某") if basis in ORDER_FIRST else facts(basis)
    decision = fine(case, 100, manager_fine_yuan=1)
    assert (decision.ok, decision.rule) == (False, "decide_manager_not_fined")
    assert decision.article == rules.PROVISIONS[basis].article


@pytest.mark.parametrize(("amount", "manager"), [(0, 0), (-1, 0), (5, -1)])
def test_amounts_are_positive(amount: int, manager: int) -> None:
    decision = fine(
        not_corrected(Basis.ART24, manager_name="张某"), amount, manager_fine_yuan=manager
    )
    assert (decision.ok, decision.rule) == (False, "decide_amount_positive")


def test_art24_manager_alone_may_be_fined() -> None:
    assert fine(not_corrected(Basis.ART24, manager_name="张某"), 0, manager_fine_yuan=200).ok


# --- Art. 26: at once, with referral ----------------------------------------------------------


@pytest.mark.parametrize("basis", AT_ONCE)
def test_art26_fines_at_once_and_may_refer(basis: Basis) -> None:
    decision = fine(
        facts(basis), 1000, refer_public_order=True, refer_criminal=True, today=ORDERED_ON
    )
    assert decision.ok
    assert decision.article == rules.PROVISIONS[basis].article


@pytest.mark.parametrize("basis", ORDER_FIRST)
@pytest.mark.parametrize("flags", [(True, False), (False, True)])
def test_referral_is_the_art26_path(basis: Basis, flags: tuple[bool, bool]) -> None:
    decision = fine(not_corrected(basis), 100, refer_public_order=flags[0], refer_criminal=flags[1])
    assert (decision.ok, decision.rule, decision.article) == (
        False,
        "decide_referral_art26",
        "Art. 26",
    )


# --- Art. 23: another law ---------------------------------------------------------------------


def test_art23_caps_of_this_regulation_do_not_apply() -> None:
    case = facts(Basis.ART23, other_law="中华人民共和国治安管理处罚法")
    assert fine(case, 5000, today=ORDERED_ON).ok
    assert fine(case, 1001, manager_fine_yuan=500, today=ORDERED_ON).rule == "decide_manager_named"
    named = facts(Basis.ART23, other_law="某法", manager_name="李某")
    assert fine(named, 1001, manager_fine_yuan=500, today=ORDERED_ON).ok


def test_art23_without_the_other_law_is_refused() -> None:
    decision = fine(facts(Basis.ART23, other_law=""), 100)
    assert (decision.ok, decision.rule, decision.article) == (
        False,
        "art23_other_law_named",
        "Art. 23",
    )


# --- closing and the steps --------------------------------------------------------------------


def test_closing_needs_a_reason_and_happens_once() -> None:
    assert rules.may_close(facts(), reason=" ").rule == "close_reason"
    assert rules.may_close(facts(state=CaseState.CLOSED), reason="done").rule == "close_state"
    assert rules.may_close(facts(state=CaseState.DECIDED), reason="罚款已缴纳").ok


def allowed(case: rules.CaseFacts, today: dt.date) -> set[Step]:
    return {step for step, d in rules.next_steps(case, today=today).items() if d.ok}


def test_next_steps_follow_the_procedure() -> None:
    assert allowed(facts(), ORDERED_ON) == {Step.ORDER, Step.CLOSE}
    assert allowed(ordered(), DEADLINE) == {Step.RECHECK, Step.CLOSE}
    assert allowed(ordered(), AFTER) == {Step.RECHECK, Step.CLOSE}
    assert allowed(not_corrected(), AFTER) == {Step.DECIDE, Step.CLOSE}
    assert allowed(facts(Basis.ART26_3), ORDERED_ON) == {Step.DECIDE, Step.CLOSE}
    assert allowed(facts(state=CaseState.CLOSED), AFTER) == set()
