"""Art. 10, 16, 17(3) and 20(1) for camera health, as pure functions of facts.

* :func:`liveness_state` — what a camera is doing now (recording / reconnecting /
  offline / disabled with its reason), from its newest committed segment.
* :func:`outage_ticket` and :func:`fault_ticket` — Art. 17(3) "run 24 hours, no
  unjustified interruption, repair faults immediately": an outage or a quality fault that
  lasts beyond its threshold owes a ticket, routed to the maintainer (Art. 16).
* :func:`repair_due` and :func:`repair_overdue` — the repair deadline (default 24 h);
  missing it is a finding under Art. 17(3), punished under Art. 25(4).
* :func:`fault_finding` — a scene shift is a changed pointing direction or coverage
  (Art. 20(1) → Art. 26(1)); an occlusion is an obstruction of image capture
  (Art. 10 → Art. 25(2)).
* :func:`repair_verified` — a ticket closes only when a diagnosis newer than it no
  longer finds its fault (never by a button).

No database, no clock: ``now`` is passed in. Intervals are half-open: a deadline
``due_at`` is missed *at* ``due_at``; a threshold is reached when the fault has lasted
exactly that long.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any, Final

from psvis.compliance.rules import Decision
from psvis.health.enums import DisabledReason, LivenessState, TicketCause
from psvis.health.vqd import FaultClass

ART10 = ("Art. 10", "第十条")
ART16 = ("Art. 16", "第十六条")
ART17_3 = ("Art. 17(3)", "第十七条第（三）项")
ART20_1 = ("Art. 20(1)", "第二十条第（一）项")

#: Art. 17(3) "repair faults immediately": the default repair time of a ticket.
DEFAULT_REPAIR_DEADLINE: Final = dt.timedelta(hours=24)

RULE_OUTAGE_TICKET: Final = "art17_3_outage_ticket"
RULE_FAULT_TICKET: Final = "art17_3_fault_ticket"
RULE_REPAIR_OVERDUE: Final = "art17_3_repair_overdue"
RULE_SCENE_SHIFT: Final = "art20_1_scene_shift"
RULE_OCCLUSION: Final = "art10_occlusion"
RULE_VERIFIED: Final = "art17_3_repair_verified"

#: The findings this domain files (subject ``camera``), with their penalty article.
FINDING_RULES: Final = {
    RULE_REPAIR_OVERDUE: "Art. 25(4)",
    RULE_SCENE_SHIFT: "Art. 26(1)",
    RULE_OCCLUSION: "Art. 25(2)",
}


def _decision(
    ok: bool,
    rule: str,
    article: tuple[str, str],
    reason: str,
    *,
    penalty_article: str = "",
    evidence: dict[str, Any] | None = None,
) -> Decision:
    return Decision(
        ok=ok,
        rule=rule,
        article=article[0],
        article_zh=article[1],
        reason=reason,
        penalty_article=penalty_article,
        evidence=evidence or {},
    )


# --- liveness --------------------------------------------------------------------------------


def liveness_state(
    *,
    camera_enabled: bool,
    system_operating: bool,
    last_segment_end: dt.datetime | None,
    recorder_retrying: bool,
    now: dt.datetime,
    stale_after: dt.timedelta,
    offline_after: dt.timedelta,
) -> tuple[LivenessState, str]:
    """The camera's state and its reason.

    ``stale_after`` is the recorder's watchdog time (``2 × segment + 10 s``): a newest
    segment younger than that means the camera is recording. Older, but younger than
    ``offline_after`` while the recorder is still trying (starting/reconnecting): the
    camera is reconnecting. Otherwise — or with no segment at all — it is offline."""
    if not camera_enabled:
        return LivenessState.DISABLED, DisabledReason.CAMERA_DISABLED.value
    if not system_operating:
        return LivenessState.DISABLED, DisabledReason.SYSTEM_NOT_OPERATING.value
    if last_segment_end is None:
        return LivenessState.OFFLINE, "never_recorded"
    age = now - last_segment_end
    if age < stale_after:
        return LivenessState.RECORDING, ""
    if age < offline_after and recorder_retrying:
        return LivenessState.RECONNECTING, ""
    return LivenessState.OFFLINE, "no_recent_segment"


# --- tickets ---------------------------------------------------------------------------------


def outage_ticket(
    *, outage_start: dt.datetime, now: dt.datetime, threshold: dt.timedelta
) -> Decision:
    """Art. 17(3): an outage still going on after ``threshold`` owes a ticket (not ok)."""
    lasted = now - outage_start
    if lasted < threshold:
        return _decision(True, RULE_OUTAGE_TICKET, ART17_3, "the outage is within its threshold")
    return _decision(
        False,
        RULE_OUTAGE_TICKET,
        ART17_3,
        f"recording interrupted for {int(lasted.total_seconds())} s (threshold "
        f"{int(threshold.total_seconds())} s): the system must run 24 hours",
        evidence={"outage_start": outage_start.isoformat(), "seconds": int(lasted.total_seconds())},
    )


def fault_ticket(*, fault_class: FaultClass, consecutive: int, threshold: int) -> Decision:
    """Art. 17(3) "keep images clear": a fault found by ``threshold`` diagnoses in a row
    owes a ticket (not ok). One faulty diagnosis may be a passing lorry or a glitch."""
    if consecutive < threshold:
        return _decision(True, RULE_FAULT_TICKET, ART17_3, "the fault is within its threshold")
    return _decision(
        False,
        RULE_FAULT_TICKET,
        ART17_3,
        f"{fault_class.value} found by {consecutive} diagnoses in a row (threshold {threshold}): "
        "images must be kept clear and faults repaired",
        evidence={"fault_class": fault_class.value, "consecutive": consecutive},
    )


def repair_due(
    opened_at: dt.datetime, deadline: dt.timedelta = DEFAULT_REPAIR_DEADLINE
) -> dt.datetime:
    """When a ticket opened at ``opened_at`` must be repaired by (Art. 17(3))."""
    if deadline <= dt.timedelta(0):
        raise ValueError("the repair deadline must be positive")
    return opened_at + deadline


def repair_overdue(
    *, cause: TicketCause, opened_at: dt.datetime, due_at: dt.datetime, now: dt.datetime
) -> Decision:
    """Art. 17(3) → 25(4): a ticket still open at or after ``due_at`` is overdue (not ok)."""
    if now < due_at:
        return _decision(
            True,
            RULE_REPAIR_OVERDUE,
            ART17_3,
            "within the repair deadline",
            penalty_article="Art. 25(4)",
        )
    late = now - due_at
    return _decision(
        False,
        RULE_REPAIR_OVERDUE,
        ART17_3,
        f"{cause.value} not repaired by its deadline ({int(late.total_seconds() // 60)} min late): "
        "faults must be repaired immediately",
        penalty_article="Art. 25(4)",
        evidence={
            "cause": cause.value,
            "opened_at": opened_at.isoformat(),
            "due_at": due_at.isoformat(),
            "minutes_late": int(late.total_seconds() // 60),
        },
    )


def ticket_routing(*, maintainer_unit_id: int | None, user_unit_id: int) -> tuple[int, Decision]:
    """Art. 16: the maintainer named for the system works its tickets; a system without
    one is maintained by its user unit (government-funded: the user unit maintains)."""
    if maintainer_unit_id is not None:
        return maintainer_unit_id, _decision(
            True, "art16_maintainer", ART16, "the named maintainer"
        )
    return user_unit_id, _decision(
        True, "art16_maintainer", ART16, "no maintainer named: the user unit maintains"
    )


# --- findings --------------------------------------------------------------------------------


def fault_finding(fault_class: FaultClass, *, evidence: dict[str, Any]) -> Decision | None:
    """The finding a persistent fault is, if the regulation names it: a scene shift
    changes a device's pointing direction or coverage (Art. 20(1), punished under
    Art. 26(1)); an occlusion obstructs image capture (Art. 10, punished under
    Art. 25(2)). Other classes are tickets (and overdue findings) only."""
    if fault_class is FaultClass.SCENE_SHIFT:
        return _decision(
            False,
            RULE_SCENE_SHIFT,
            ART20_1,
            "the camera's view no longer matches its accepted baseline: its pointing direction "
            "or coverage has changed",
            penalty_article=FINDING_RULES[RULE_SCENE_SHIFT],
            evidence=evidence,
        )
    if fault_class is FaultClass.OCCLUSION:
        return _decision(
            False,
            RULE_OCCLUSION,
            ART10,
            "part of the camera's view is obstructed: image capture must not be blocked",
            penalty_article=FINDING_RULES[RULE_OCCLUSION],
            evidence=evidence,
        )
    return None


# --- verification ----------------------------------------------------------------------------


def repair_verified(
    *,
    cause: TicketCause,
    opened_at: dt.datetime,
    diagnosis_classes: Collection[FaultClass],
    segment_start: dt.datetime | None,
    outage_open: bool,
    undetermined: Collection[FaultClass] = (),
) -> Decision:
    """Art. 17(3): is the ticket's fault repaired, by this diagnosis (ok)?

    Only a diagnosis of a segment that *started after the ticket opened* counts — a
    picture recorded before the repair proves nothing — and it must no longer find the
    ticket's fault, on a picture (a signal loss judges nothing else) that could judge it:
    a class the diagnosis could not decide (``undetermined``, e.g. a scene shift on a
    view with too little structure) is not repaired; for an outage, recording must be
    back (no open outage, no signal loss)."""
    if segment_start is None or segment_start < opened_at:
        return _decision(
            False, RULE_VERIFIED, ART17_3, "no segment recorded since the ticket was opened"
        )
    if cause is TicketCause.OUTAGE:
        if outage_open or FaultClass.SIGNAL_LOSS in diagnosis_classes:
            return _decision(False, RULE_VERIFIED, ART17_3, "recording is not back")
        return _decision(True, RULE_VERIFIED, ART17_3, "recording is back and has a picture")
    fault = FaultClass(cause.value)
    if fault is not FaultClass.SIGNAL_LOSS and FaultClass.SIGNAL_LOSS in diagnosis_classes:
        # No picture was judged: its other faults are unknown, not repaired.
        return _decision(False, RULE_VERIFIED, ART17_3, "no picture to judge (signal loss)")
    if fault in diagnosis_classes:
        return _decision(False, RULE_VERIFIED, ART17_3, f"{fault.value} is still found")
    if fault in undetermined:
        return _decision(
            False, RULE_VERIFIED, ART17_3, f"{fault.value} could not be judged on this picture"
        )
    return _decision(True, RULE_VERIFIED, ART17_3, f"{fault.value} is no longer found")
