"""Chapter 4 (Art. 23-26) as pure functions of facts: what may be done next on a case, and
the amounts a penalty may reach.

* Art. 24 (a required system not built) and Art. 25(1)-(4) (no signage; obstruction;
  removal without notice; a user unit breaking Art. 17): **责令限期改正** first — a
  correction order with a deadline; only when a re-check *after* the deadline finds it
  not corrected (逾期不改正) may a fine be decided: at most 1,000 yuan, and under Art. 24
  also at most 200 yuan for the directly responsible manager.
* Art. 26(1)-(3) (changed use or direction; unlawful copying or trading; deleting,
  altering or hiding originals): **责令改正，并处** — the order and a fine of at most
  1,000 yuan at once, and the case may be referred for public-order penalties or
  criminal handling.
* Art. 23: where another law or regulation already punishes the act, it applies: the
  case names that law and this regulation's procedure and caps do not bind it.

No database and no clock: ``today`` (the China civil date the deadlines are counted in)
is passed in. Amounts are integer yuan. Each function returns the first failing
:class:`~psvis.compliance.rules.Decision`, naming the article it rests on, or an ok one;
the services turn a failure into a :class:`~psvis.core.errors.Refused`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from psvis.compliance.rules import Decision
from psvis.enforcement.enums import Basis, CaseState, Procedure, Step

#: Art. 24-26: "处 1000 元以下罚款" — the unit's (or the offender's) fine, in yuan.
UNIT_CAP_YUAN: Final = 1000
#: Art. 24: "对其直接负责的主管人员处 200 元以下罚款".
MANAGER_CAP_YUAN: Final = 200


@dataclass(frozen=True, slots=True)
class Provision:
    """One penalty provision: its citation, its procedure and its caps (None: no cap of
    this regulation applies, or the provision fines no such person)."""

    basis: Basis
    article: str
    article_zh: str
    procedure: Procedure
    unit_cap_yuan: int | None
    manager_cap_yuan: int | None
    #: Whether the case may be referred for public-order penalties or criminal handling.
    referral: bool
    #: The breach in the words of the regulation (zh-CN), printed on the documents.
    act_zh: str


def _p(
    basis: Basis,
    article: str,
    article_zh: str,
    procedure: Procedure,
    act_zh: str,
    *,
    manager: bool = False,
) -> Provision:
    other = procedure is Procedure.OTHER_LAW
    return Provision(
        basis=basis,
        article=article,
        article_zh=article_zh,
        procedure=procedure,
        unit_cap_yuan=None if other else UNIT_CAP_YUAN,
        manager_cap_yuan=MANAGER_CAP_YUAN if manager else None,
        referral=procedure is Procedure.ORDER_AND_FINE,
        act_zh=act_zh,
    )


_FIRST, _AT_ONCE = Procedure.ORDER_FIRST, Procedure.ORDER_AND_FINE

#: Every provision a case may be brought under.
PROVISIONS: Final[Mapping[Basis, Provision]] = {
    p.basis: p
    for p in (
        _p(
            Basis.ART24,
            "Art. 24",
            "第二十四条",
            _FIRST,
            "应当建设公共安全视频图像信息系统而未建设",
            manager=True,
        ),
        _p(
            Basis.ART25_1,
            "Art. 25(1)",
            "第二十五条第（一）项",
            _FIRST,
            "建设公共安全视频图像信息系统未设置明显标识",
        ),
        _p(
            Basis.ART25_2,
            "Art. 25(2)",
            "第二十五条第（二）项",
            _FIRST,
            "设置户外广告、架设管线、植树或者设置其他设施妨碍已有的公共安全视频图像信息系统"
            "图像采集",
        ),
        _p(
            Basis.ART25_3,
            "Art. 25(3)",
            "第二十五条第（三）项",
            _FIRST,
            "拆除公共安全视频图像信息系统未提前书面告知所在地县（区）公安机关",
        ),
        _p(
            Basis.ART25_4,
            "Art. 25(4)",
            "第二十五条第（四）项",
            _FIRST,
            "公共安全视频图像信息系统的使用单位未遵守有关规定",
        ),
        _p(
            Basis.ART26_1,
            "Art. 26(1)",
            "第二十六条第（一）项",
            _AT_ONCE,
            "改变公共安全视频图像信息系统的用途、设备的指向方位和范围",
        ),
        _p(
            Basis.ART26_2,
            "Art. 26(2)",
            "第二十六条第（二）项",
            _AT_ONCE,
            "非法买卖、提供、传播或者非法复制、调取公共安全视频图像信息系统的信息资料",
        ),
        _p(
            Basis.ART26_3,
            "Art. 26(3)",
            "第二十六条第（三）项",
            _AT_ONCE,
            "删改、隐匿、破坏公共安全视频图像信息系统信息资料的原始记录",
        ),
        _p(
            Basis.ART23,
            "Art. 23",
            "第二十三条",
            Procedure.OTHER_LAW,
            "违反本办法规定的行为，法律、法规已有处罚规定",
        ),
    )
}

#: Which provision a finding's ``penalty_article`` points to (compliance/rules.py).
BY_ARTICLE: Final[Mapping[str, Basis]] = {p.article: p.basis for p in PROVISIONS.values()}

ART23 = ("Art. 23", "第二十三条")


def provision(basis: Basis) -> Provision:
    return PROVISIONS[basis]


def _decide(
    ok: bool,
    rule: str,
    where: Provision | tuple[str, str],
    reason: str,
    evidence: dict[str, Any] | None = None,
) -> Decision:
    article, article_zh = (
        (where.article, where.article_zh) if isinstance(where, Provision) else where
    )
    return Decision(
        ok=ok,
        rule=rule,
        article=article,
        article_zh=article_zh,
        reason=reason,
        penalty_article=article,
        evidence=evidence or {},
    )


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """What the rules need to know about a case.

    ``deadline``: the last day (China civil date) of the correction period, inclusive —
    the unit may still correct on that day; ``failed_recheck_on``: the day a re-check
    found the breach not corrected (only ever after the deadline)."""

    basis: Basis
    state: CaseState
    other_law: str = ""
    ordered_on: dt.date | None = None
    deadline: dt.date | None = None
    failed_recheck_on: dt.date | None = None
    manager_name: str = ""

    @property
    def provision(self) -> Provision:
        return PROVISIONS[self.basis]


# --- opening ----------------------------------------------------------------------------------


def may_open(*, basis: Basis, other_law: str) -> Decision:
    """Art. 23: a case under another law names it; a case under this regulation's own
    provisions cites no other law (it would be an Art. 23 case)."""
    named = bool(other_law.strip())
    if basis is Basis.ART23 and not named:
        return _decide(
            False,
            "art23_other_law_named",
            ART23,
            "a case under Art. 23 must name the law or regulation whose penalty applies",
        )
    if basis is not Basis.ART23 and named:
        return _decide(
            False,
            "art23_other_law_only",
            ART23,
            "another law's penalty is cited only in an Art. 23 case",
            {"basis": basis.value},
        )
    return _decide(True, "case_basis", PROVISIONS[basis], "the provision is known")


# --- the correction order ----------------------------------------------------------------------


def may_order(facts: CaseFacts, *, deadline: dt.date | None, today: dt.date) -> Decision:
    """A correction order: once, on an open case; under Art. 24/25 with a deadline after
    today; under Art. 26 never alone (it comes with the fine, :func:`may_decide`)."""
    p = facts.provision
    if facts.state is not CaseState.OPEN:
        return _decide(
            False, "order_state", p, f"the case is {facts.state.value}: an order is issued once"
        )
    if p.procedure is Procedure.ORDER_AND_FINE:
        return _decide(
            False,
            "order_with_fine",
            p,
            "under Art. 26 the order to correct comes with the fine, in one decision",
        )
    if p.procedure is Procedure.ORDER_FIRST and deadline is None:
        return _decide(
            False, "order_deadline_required", p, "the order must set a deadline (责令限期改正)"
        )
    if deadline is not None and deadline <= today:
        return _decide(
            False,
            "order_deadline_future",
            p,
            f"the deadline {deadline.isoformat()} must be after today ({today.isoformat()})",
            {"deadline": deadline.isoformat(), "today": today.isoformat()},
        )
    return _decide(True, "order", p, "a correction order may be issued")


# --- the re-check ------------------------------------------------------------------------------


def may_recheck(
    facts: CaseFacts, *, checked_on: dt.date, corrected: bool, today: dt.date
) -> Decision:
    """A re-check of an ordered case. A passing one may come any day after the order; a
    failing one counts only after the deadline (逾期不改正): until then the unit is
    still inside its period."""
    p = facts.provision
    if facts.state is not CaseState.ORDERED:
        return _decide(
            False,
            "recheck_state",
            p,
            f"the case is {facts.state.value}: a re-check follows a correction order",
        )
    if checked_on > today:
        return _decide(False, "recheck_date_future", p, "a re-check cannot be dated in the future")
    if facts.ordered_on is not None and checked_on < facts.ordered_on:
        return _decide(
            False, "recheck_before_order", p, "a re-check cannot predate the correction order"
        )
    if not corrected and facts.deadline is not None and checked_on <= facts.deadline:
        return _decide(
            False,
            "recheck_failed_before_deadline",
            p,
            f"the correction period runs until {facts.deadline.isoformat()} inclusive: "
            "a finding of 'not corrected' needs a re-check after it",
            {"deadline": facts.deadline.isoformat(), "checked_on": checked_on.isoformat()},
        )
    return _decide(True, "recheck", p, "the re-check may be recorded")


# --- the penalty decision ----------------------------------------------------------------------


def _state_for_fine(facts: CaseFacts, today: dt.date) -> Decision | None:
    """The procedural refusal of a fine, or None when the case has reached the fine."""
    p = facts.provision
    state = facts.state
    if p.procedure is Procedure.ORDER_AND_FINE:
        if state is CaseState.OPEN:
            return None
        return _decide(False, "decide_state", p, f"the case is {state.value}")
    if p.procedure is Procedure.OTHER_LAW:
        if not facts.other_law.strip():
            return _decide(
                False, "art23_other_law_named", ART23, "the case names no other law to apply"
            )
        if state in (CaseState.OPEN, CaseState.ORDERED, CaseState.NOT_CORRECTED):
            return None
        return _decide(False, "decide_state", p, f"the case is {state.value}")
    if state is CaseState.OPEN:
        return _decide(
            False,
            "decide_no_order",
            p,
            "no correction order yet: a fine comes only after a deadline has passed uncorrected",
        )
    if state is CaseState.CORRECTED:
        return _decide(
            False, "decide_corrected", p, "the re-check found the breach corrected: no fine"
        )
    if state is CaseState.ORDERED:
        if facts.deadline is not None and today <= facts.deadline:
            return _decide(
                False,
                "decide_before_deadline",
                p,
                f"the correction period runs until {facts.deadline.isoformat()} inclusive",
                {"deadline": facts.deadline.isoformat(), "today": today.isoformat()},
            )
        return _decide(
            False,
            "decide_no_failed_recheck",
            p,
            "a fine needs a re-check after the deadline that found the breach not corrected",
        )
    if state is not CaseState.NOT_CORRECTED:
        return _decide(False, "decide_state", p, f"the case is {state.value}")
    # A failed re-check is only ever recorded after the deadline (may_recheck); the
    # decision day is checked again so that no path fines inside the period.
    if facts.deadline is None or today <= facts.deadline or facts.failed_recheck_on is None:
        return _decide(
            False,
            "decide_before_deadline",
            p,
            "the correction period has not passed with a failed re-check",
        )
    return None


def may_decide(
    facts: CaseFacts,
    *,
    fine_yuan: int,
    manager_fine_yuan: int,
    refer_public_order: bool,
    refer_criminal: bool,
    today: dt.date,
) -> Decision:
    """A penalty decision: the procedure reached (see the module docstring), then the
    amounts within the provision's caps and the referral only where Art. 26 allows it."""
    p = facts.provision
    refused = _state_for_fine(facts, today)
    if refused is not None:
        return refused
    amounts = {"fine_yuan": fine_yuan, "manager_fine_yuan": manager_fine_yuan}
    if fine_yuan < 0 or manager_fine_yuan < 0 or fine_yuan + manager_fine_yuan < 1:
        return _decide(
            False,
            "decide_amount_positive",
            p,
            "a penalty decision fines at least 1 yuan, and no amount is negative",
            amounts,
        )
    if p.unit_cap_yuan is not None and fine_yuan > p.unit_cap_yuan:
        return _decide(
            False,
            "decide_unit_cap",
            p,
            f"{fine_yuan} yuan exceeds the cap of {p.unit_cap_yuan} yuan",
            {**amounts, "cap_yuan": p.unit_cap_yuan},
        )
    if manager_fine_yuan > 0:
        if p.procedure is not Procedure.OTHER_LAW and p.manager_cap_yuan is None:
            return _decide(
                False,
                "decide_manager_not_fined",
                p,
                "this provision fines no directly responsible manager (only Art. 24 does)",
                amounts,
            )
        if not facts.manager_name.strip():
            return _decide(
                False,
                "decide_manager_named",
                p,
                "a fine on the directly responsible manager names the manager on the case",
            )
        if p.manager_cap_yuan is not None and manager_fine_yuan > p.manager_cap_yuan:
            return _decide(
                False,
                "decide_manager_cap",
                p,
                f"{manager_fine_yuan} yuan exceeds the manager's cap of {p.manager_cap_yuan} yuan",
                {**amounts, "cap_yuan": p.manager_cap_yuan},
            )
    if (refer_public_order or refer_criminal) and not p.referral:
        return _decide(
            False,
            "decide_referral_art26",
            ("Art. 26", "第二十六条"),
            "referral for public-order penalties or criminal handling is the Art. 26 path",
            {"basis": p.basis.value},
        )
    return _decide(True, "decide", p, "the penalty may be decided", amounts)


# --- closing -----------------------------------------------------------------------------------


def may_close(facts: CaseFacts, *, reason: str) -> Decision:
    """Close a case: dropped before a decision, done after correction, or executed after
    a decision — always with a reason on the record."""
    p = facts.provision
    if facts.state is CaseState.CLOSED:
        return _decide(False, "close_state", p, "the case is already closed")
    if not reason.strip():
        return _decide(False, "close_reason", p, "closing a case needs a reason")
    return _decide(True, "close", p, "the case may be closed")


# --- what the console offers -------------------------------------------------------------------


def next_steps(facts: CaseFacts, *, today: dt.date) -> dict[Step, Decision]:
    """Each step with its decision as of ``today`` — the console shows the allowed ones
    and, for the others, why not. Amounts are probed at the smallest lawful fine."""
    tomorrow = today + dt.timedelta(days=1)
    return {
        Step.ORDER: may_order(facts, deadline=tomorrow, today=today),
        Step.RECHECK: may_recheck(facts, checked_on=today, corrected=True, today=today),
        Step.DECIDE: may_decide(
            facts,
            fine_yuan=1,
            manager_fine_yuan=0,
            refer_public_order=False,
            refer_criminal=False,
            today=today,
        ),
        Step.CLOSE: may_close(facts, reason="-"),
    }
