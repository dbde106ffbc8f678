"""The health rules at their boundaries (half-open: a threshold or deadline is reached
*at* its instant)."""

from __future__ import annotations

import datetime as dt

import pytest

from psvis.health import rules
from psvis.health.enums import DisabledReason, LivenessState, TicketCause
from psvis.health.vqd import FaultClass

T0 = dt.datetime(2026, 11, 27, 4, 0, tzinfo=dt.UTC)
US = dt.timedelta(microseconds=1)
STALE = dt.timedelta(seconds=130)
OFFLINE = dt.timedelta(seconds=300)


def state(**overrides: object) -> tuple[LivenessState, str]:
    facts: dict[str, object] = {
        "camera_enabled": True,
        "system_operating": True,
        "last_segment_end": T0,
        "recorder_retrying": True,
        "now": T0,
        "stale_after": STALE,
        "offline_after": OFFLINE,
    }
    facts |= overrides
    return rules.liveness_state(**facts)  # type: ignore[arg-type]


def test_liveness_states_at_their_boundaries() -> None:
    assert state(now=T0 + STALE - US) == (LivenessState.RECORDING, "")
    assert state(now=T0 + STALE) == (LivenessState.RECONNECTING, "")
    assert state(now=T0 + OFFLINE - US) == (LivenessState.RECONNECTING, "")
    assert state(now=T0 + OFFLINE)[0] is LivenessState.OFFLINE
    # A recorder that gave up (stopped) is offline as soon as the segment is late.
    assert state(now=T0 + STALE, recorder_retrying=False)[0] is LivenessState.OFFLINE
    assert state(last_segment_end=None) == (LivenessState.OFFLINE, "never_recorded")


def test_disabled_comes_with_its_reason_first() -> None:
    assert state(camera_enabled=False, system_operating=False) == (
        LivenessState.DISABLED,
        DisabledReason.CAMERA_DISABLED.value,
    )
    assert state(system_operating=False, last_segment_end=None) == (
        LivenessState.DISABLED,
        DisabledReason.SYSTEM_NOT_OPERATING.value,
    )


def test_an_outage_owes_a_ticket_once_it_has_lasted_its_threshold() -> None:
    threshold = dt.timedelta(minutes=15)
    before = rules.outage_ticket(outage_start=T0, now=T0 + threshold - US, threshold=threshold)
    at = rules.outage_ticket(outage_start=T0, now=T0 + threshold, threshold=threshold)
    assert before.ok
    assert not at.ok
    assert (at.article, at.article_zh) == ("Art. 17(3)", "第十七条第（三）项")
    assert at.evidence["seconds"] == 900


@pytest.mark.parametrize("threshold", [1, 2, 5])
def test_a_fault_owes_a_ticket_after_threshold_diagnoses_in_a_row(threshold: int) -> None:
    below = rules.fault_ticket(
        fault_class=FaultClass.BLUR, consecutive=threshold - 1, threshold=threshold
    )
    at = rules.fault_ticket(fault_class=FaultClass.BLUR, consecutive=threshold, threshold=threshold)
    assert below.ok
    assert not at.ok
    assert at.article == "Art. 17(3)"


def test_repair_deadline_default_and_overdue_boundary() -> None:
    due = rules.repair_due(T0)
    assert due == T0 + dt.timedelta(hours=24)
    assert rules.repair_due(T0, dt.timedelta(hours=4)) == T0 + dt.timedelta(hours=4)
    with pytest.raises(ValueError, match="positive"):
        rules.repair_due(T0, dt.timedelta(0))
    inside = rules.repair_overdue(cause=TicketCause.OUTAGE, opened_at=T0, due_at=due, now=due - US)
    late = rules.repair_overdue(cause=TicketCause.OUTAGE, opened_at=T0, due_at=due, now=due)
    assert inside.ok
    assert not late.ok
    assert (late.article, late.penalty_article) == ("Art. 17(3)", "Art. 25(4)")
    assert late.rule == rules.RULE_REPAIR_OVERDUE


def test_scene_shift_and_occlusion_are_findings_under_their_articles() -> None:
    shift = rules.fault_finding(FaultClass.SCENE_SHIFT, evidence={"diagnosis_id": 1})
    cover = rules.fault_finding(FaultClass.OCCLUSION, evidence={})
    assert shift is not None
    assert cover is not None
    assert (shift.rule, shift.article, shift.penalty_article) == (
        rules.RULE_SCENE_SHIFT,
        "Art. 20(1)",
        "Art. 26(1)",
    )
    assert shift.evidence == {"diagnosis_id": 1}
    assert (cover.rule, cover.article, cover.article_zh, cover.penalty_article) == (
        rules.RULE_OCCLUSION,
        "Art. 10",
        "第十条",
        "Art. 25(2)",
    )
    others = set(FaultClass) - {FaultClass.SCENE_SHIFT, FaultClass.OCCLUSION}
    assert all(rules.fault_finding(c, evidence={}) is None for c in others)


def test_tickets_go_to_the_named_maintainer_else_the_user_unit() -> None:
    assert rules.ticket_routing(maintainer_unit_id=7, user_unit_id=3)[0] == 7
    unit, why = rules.ticket_routing(maintainer_unit_id=None, user_unit_id=3)
    assert unit == 3
    assert why.article == "Art. 16"


def verified(**overrides: object) -> bool:
    facts: dict[str, object] = {
        "cause": TicketCause.BLUR,
        "opened_at": T0,
        "diagnosis_classes": frozenset(),
        "segment_start": T0,
        "outage_open": False,
    }
    facts |= overrides
    return rules.repair_verified(**facts).ok  # type: ignore[arg-type]


def test_only_a_newer_diagnosis_without_the_fault_verifies_a_repair() -> None:
    assert verified()
    assert not verified(segment_start=T0 - US)  # recorded before the ticket: proves nothing
    assert not verified(segment_start=None)
    assert not verified(diagnosis_classes={FaultClass.BLUR})
    assert verified(diagnosis_classes={FaultClass.NOISE})  # another fault is another ticket
    # An undecodable or black picture proves nothing about the ticket's fault.
    assert not verified(diagnosis_classes={FaultClass.SIGNAL_LOSS})
    assert verified(cause=TicketCause.SIGNAL_LOSS, diagnosis_classes={FaultClass.NOISE})
    assert not verified(cause=TicketCause.SIGNAL_LOSS, diagnosis_classes={FaultClass.SIGNAL_LOSS})
    assert verified(cause=TicketCause.OUTAGE, diagnosis_classes={FaultClass.NOISE})
    assert not verified(cause=TicketCause.OUTAGE, outage_open=True)
    assert not verified(cause=TicketCause.OUTAGE, diagnosis_classes={FaultClass.SIGNAL_LOSS})


def test_an_undecided_scene_shift_does_not_verify_its_repair() -> None:
    """A diagnosis that could not judge the view (too little structure) is no evidence
    that a moved camera was put back; it does not hold up another fault's repair."""
    shift = TicketCause.SCENE_SHIFT
    assert verified(cause=shift)
    assert not verified(cause=shift, undetermined={FaultClass.SCENE_SHIFT})
    assert verified(cause=TicketCause.BLUR, undetermined={FaultClass.SCENE_SHIFT})
