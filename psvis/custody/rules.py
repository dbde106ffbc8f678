"""Art. 18-19 as pure functions of facts: who may approve, when two officers may open an
execution session, and whether one media request lies inside what was approved.

* :func:`may_approve` — Art. 18: a chief (county level or above: the city or a district
  bureau) whose jurisdiction covers every camera of the request, never the requester;
  another department's request must cite its legal basis.
* :func:`session_may_open` — Art. 19: two distinct police officers, both showing work
  IDs, the second authenticated with password and TOTP in the same act; the request
  approved and inside its validity window; both officers' jurisdictions (Art. 4) cover
  every camera.
* :func:`access_allowed` — one media request: an officer of an open session, the request
  still valid, the action approved, the camera in scope and ``[start, end)`` inside an
  approved interval of that camera.

No database, no clock: ``now`` is passed in. Intervals are half-open (docs/design/time.md).
Each function returns the first failing :class:`~psvis.compliance.rules.Decision` (or an
ok one) naming its article; the services turn a failure into an error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from psvis.auth.policy import Action, Role
from psvis.compliance.rules import Decision
from psvis.custody.enums import CustodyAction, DepartmentKind, RequestState

ART4 = ("Art. 4", "第四条")
ART18 = ("Art. 18", "第十八条")
ART18_2 = ("Art. 18, second paragraph", "第十八条第二款")
ART19 = ("Art. 19", "第十九条")
ART14 = ("Art. 14", "第十四条")
ART19_1 = ("Art. 19(1)", "第十九条第（一）项")
ART19_2 = ("Art. 19(2)", "第十九条第（二）项")
#: Unlawful copying or retrieval is punished under Art. 26(2).
PENALTY_ARTICLE = "Art. 26(2)"

#: "县级以上公安机关负责人": the jurisdiction levels at county level or above.
COUNTY_OR_ABOVE: Final = frozenset({"city", "district"})

#: Who approves, per department kind (Art. 18). The second paragraph leaves other
#: departments to their own laws; this platform routes their requests through the
#: police chief of the cameras' place too (the footage is held under police
#: supervision), with their legal basis required. A deployment changes this table.
APPROVER_ROLES: Final[Mapping[DepartmentKind, frozenset[Role]]] = {
    DepartmentKind.POLICE: frozenset({Role.CHIEF}),
    DepartmentKind.OTHER: frozenset({Role.CHIEF}),
}

#: Police roles that may execute a request (the roles that may ever play footage back).
EXECUTING_ROLES: Final = frozenset({Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.OFFICER, Role.CHIEF})

#: Which approved actions let the footage gate's action through.
GATE_ACTIONS: Final[Mapping[Action, frozenset[CustodyAction]]] = {
    # Live use of a system not networked with the police platform is "接入、直接使用".
    Action.LIVE: frozenset({CustodyAction.DIRECT_ACCESS}),
    Action.PLAYBACK: frozenset({CustodyAction.VIEW}),
    Action.EXPORT: frozenset({CustodyAction.COPY, CustodyAction.RETRIEVE}),
}

Interval = tuple[dt.datetime, dt.datetime]


def _decision(
    ok: bool,
    rule: str,
    article: tuple[str, str],
    reason: str,
    evidence: dict[str, Any] | None = None,
) -> Decision:
    return Decision(
        ok=ok,
        rule=rule,
        article=article[0],
        article_zh=article[1],
        reason=reason,
        penalty_article=PENALTY_ARTICLE,
        evidence=evidence or {},
    )


# --- approval (Art. 18) -----------------------------------------------------------------------


def may_approve(
    *,
    state: RequestState,
    department_kind: DepartmentKind,
    legal_basis: str,
    requester_id: int,
    approver_id: int,
    approver_role: Role,
    approver_level: str | None,
    approver_covers: Collection[str],
    camera_codes: Iterable[str],
) -> Decision:
    """May this user approve (or reject, or release the hold of) the request?

    ``approver_level``: the level of the approver's jurisdiction (``city``/``district``,
    None without one); ``approver_covers``: their jurisdiction subtree's codes;
    ``camera_codes``: the jurisdiction of every camera in the request."""
    if state is not RequestState.REQUESTED:
        return _decision(
            False, "art18_pending", ART18, f"the request is {state.value}, not awaiting a decision"
        )
    if approver_role not in APPROVER_ROLES[department_kind]:
        return _decision(
            False,
            "art18_chief",
            ART18,
            "only the head of a county-level or higher police bureau (role chief) approves",
            {"role": approver_role.value},
        )
    return _chief_over(
        department_kind=department_kind,
        legal_basis=legal_basis,
        requester_id=requester_id,
        approver_id=approver_id,
        approver_level=approver_level,
        approver_covers=approver_covers,
        camera_codes=camera_codes,
    )


def may_release_hold(
    *,
    held: bool,
    department_kind: DepartmentKind,
    legal_basis: str,
    requester_id: int,
    approver_id: int,
    approver_role: Role,
    approver_level: str | None,
    approver_covers: Collection[str],
    camera_codes: Iterable[str],
) -> Decision:
    """Releasing a request's legal hold is itself an approval (Art. 18, 20(3)): the same
    chief rule as approving it, in any state once the hold exists."""
    if not held:
        return _decision(False, "art18_hold_placed", ART18, "the request holds no footage")
    if approver_role not in APPROVER_ROLES[department_kind]:
        return _decision(
            False,
            "art18_chief",
            ART18,
            "only the head of a county-level or higher police bureau (role chief) releases a hold",
            {"role": approver_role.value},
        )
    return _chief_over(
        department_kind=department_kind,
        legal_basis=legal_basis,
        requester_id=requester_id,
        approver_id=approver_id,
        approver_level=approver_level,
        approver_covers=approver_covers,
        camera_codes=camera_codes,
    )


def _chief_over(
    *,
    department_kind: DepartmentKind,
    legal_basis: str,
    requester_id: int,
    approver_id: int,
    approver_level: str | None,
    approver_covers: Collection[str],
    camera_codes: Iterable[str],
) -> Decision:
    if approver_level not in COUNTY_OR_ABOVE:
        return _decision(
            False,
            "art18_county_level",
            ART18,
            "the approving chief must head a county-level or higher bureau",
            {"level": approver_level},
        )
    if approver_id == requester_id:
        return _decision(False, "art18_not_requester", ART18, "nobody approves their own request")
    codes = sorted(set(camera_codes))
    if not codes:
        return _decision(False, "art18_jurisdiction", ART18, "the request names no camera")
    outside = [code for code in codes if code not in approver_covers]
    if outside:
        return _decision(
            False,
            "art18_jurisdiction",
            ART18,
            f"cameras in {', '.join(outside)} lie outside the chief's jurisdiction; "
            "the chief of their place approves (所在地公安机关负责人)",
            {"outside": outside},
        )
    if department_kind is DepartmentKind.OTHER and not legal_basis.strip():
        return _decision(
            False,
            "art18_legal_basis",
            ART18_2,
            "another department's request must cite the law it acts under",
        )
    return _decision(True, "art18_chief", ART18, "a competent chief, not the requester")


# --- execution session (Art. 19) ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Officer:
    """What :func:`session_may_open` needs to know of one officer."""

    user_id: int
    role: Role
    work_id: str
    active: bool
    #: Whether the officer's jurisdiction covers every camera of the request (Art. 4).
    covers_scope: bool


def within(now: dt.datetime, valid_from: dt.datetime, valid_until: dt.datetime) -> bool:
    """``now`` inside the half-open validity window."""
    return valid_from <= now < valid_until


def session_may_open(
    *,
    state: RequestState,
    valid_from: dt.datetime,
    valid_until: dt.datetime,
    now: dt.datetime,
    officer_a: Officer,
    officer_b: Officer,
    b_password_ok: bool,
    b_totp_ok: bool,
) -> Decision:
    """May officers A (signed in) and B (authenticating now) open a session?"""
    if state is not RequestState.APPROVED:
        return _decision(
            False, "art18_approved", ART18, f"the request is {state.value}, not approved"
        )
    if not within(now, valid_from, valid_until):
        return _decision(
            False,
            "art18_validity",
            ART18,
            f"outside the request's validity [{valid_from.isoformat()}, {valid_until.isoformat()})",
        )
    if officer_a.user_id == officer_b.user_id:
        return _decision(
            False, "art19_two_officers", ART19_1, "two different officers must be present"
        )
    for label, officer in (("first", officer_a), ("second", officer_b)):
        if not officer.active or officer.role not in EXECUTING_ROLES:
            return _decision(
                False,
                "art19_police_officers",
                ART19_1,
                f"the {label} officer is not an active police officer who may handle footage",
                {"role": officer.role.value},
            )
        if not officer.work_id.strip():
            return _decision(
                False,
                "art19_work_ids",
                ART19_2,
                f"the {label} officer has no work ID (警号) on record to show",
            )
    if not (b_password_ok and b_totp_ok):
        return _decision(
            False,
            "art19_second_officer_authenticated",
            ART19,
            "the second officer's password or one-time code is wrong",
        )
    for label, officer in (("first", officer_a), ("second", officer_b)):
        if not officer.covers_scope:
            return _decision(
                False,
                "art4_officer_jurisdiction",
                ART4,
                f"the {label} officer's jurisdiction does not cover every camera of the request",
            )
    return _decision(True, "art19_two_officers", ART19, "two authenticated officers present")


# --- one access (Art. 18-19) ------------------------------------------------------------------


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Half-open intervals merged where they touch or overlap, in order."""
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def covered(start: dt.datetime, end: dt.datetime, intervals: Sequence[Interval]) -> bool:
    """``[start, end)`` inside the union of ``intervals``."""
    return any(s <= start and end <= e for s, e in merge(intervals))


def not_an_officer() -> Decision:
    """The answer for a session that does not exist or is someone else's (the same, so
    session ids cannot be probed)."""
    return _decision(
        False, "art19_session_officer", ART19, "you are not an officer of this session"
    )


def access_allowed(
    *,
    is_officer: bool,
    session_open: bool,
    state: RequestState,
    valid_from: dt.datetime,
    valid_until: dt.datetime,
    now: dt.datetime,
    approved_actions: Collection[str],
    action: Action,
    camera_in_scope: bool,
    intervals: Sequence[Interval],
    start: dt.datetime,
    end: dt.datetime,
) -> Decision:
    """May this media request (``action`` on ``[start, end)`` of one camera) go through the
    named session? ``intervals``: the approved intervals of *this* camera."""
    if not is_officer:
        return not_an_officer()
    if not session_open:
        return _decision(False, "art19_session_open", ART19, "the session is closed")
    if state is not RequestState.APPROVED or not within(now, valid_from, valid_until):
        return _decision(
            False,
            "art18_validity",
            ART18,
            "the request is no longer valid"
            if state is RequestState.APPROVED
            else f"the request is {state.value}",
        )
    needed = GATE_ACTIONS.get(action, frozenset())
    if not needed & set(approved_actions):
        return _decision(
            False,
            "art18_action",
            ART18,
            f"the request does not approve {action.value} "
            f"(needs one of {', '.join(sorted(needed)) or 'nothing known'})",
        )
    if not camera_in_scope:
        return _decision(False, "art18_camera", ART18, "this camera is not in the request")
    if not covered(start, end, intervals):
        return _decision(
            False,
            "art18_range",
            ART18,
            f"[{start.isoformat()}, {end.isoformat()}) lies outside the approved time range",
        )
    return _decision(True, "art18_scope", ART18, "inside the approved scope")


# --- networking (Art. 14) -----------------------------------------------------------------------

#: "政府投资建设或者承租": the systems the city police network for sharing. A non-government
#: system only reserves an interface; police use of it is direct use (Art. 18).
NETWORKED_INVESTMENTS: Final = frozenset({"government"})


def may_network(
    *, investment: str, agreement: str, bureau_code: str, system_bureaus: Collection[str]
) -> Decision:
    """May this system be networked for the police of ``bureau_code``?

    ``system_bureaus``: the system's jurisdiction and every jurisdiction above it — a
    system is shared with the bureau of its place or a bureau above it, never sideways."""
    if investment not in NETWORKED_INVESTMENTS:
        return _decision(
            False,
            "art14_government",
            ART14,
            "only government-funded or leased systems are networked; police use of another "
            "unit's system is direct use and needs an approved request (Art. 18)",
            {"investment": investment},
        )
    if not agreement.strip():
        return _decision(
            False, "art14_agreement", ART14, "name the networking agreement or document"
        )
    if bureau_code not in system_bureaus:
        return _decision(
            False,
            "art14_bureau",
            ART14,
            "a system is networked with the police of its own place or of a bureau above it",
            {"bureau": bureau_code},
        )
    return _decision(True, "art14_network", ART14, "networked")


def networked_for(*, grant_bureaus: Collection[str], officer_bureaus: Collection[str]) -> bool:
    """Whether a police officer uses a networked system live without a request (Art. 14):
    some active grant's bureau is the officer's, one below it (a city officer) or one
    above it (a district officer of a city-wide grant). ``officer_bureaus``: the officer's
    jurisdiction subtree and its ancestors."""
    return any(code in officer_bureaus for code in grant_bureaus)
