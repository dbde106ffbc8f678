"""Closed vocabularies of the enforcement domain (Chapter 4, Art. 23-26)."""

from __future__ import annotations

import enum


class Basis(enum.StrEnum):
    """The penalty provision a case is brought under.

    Art. 24 and 25(1)-(4) order a correction within a deadline first and fine only if it
    is not corrected; Art. 26(1)-(3) order a correction *and* fine at once; Art. 23
    leaves an act another law already punishes to that law (named on the case)."""

    #: 应当建设而未建设 (Art. 8 sites without a system).
    ART24 = "art24"
    #: 未设置明显标识 (Art. 10 signage).
    ART25_1 = "art25_1"
    #: 妨碍图像采集 (billboards, cables, trees, structures).
    ART25_2 = "art25_2"
    #: 拆除未提前书面告知 (Art. 15).
    ART25_3 = "art25_3"
    #: 使用单位未遵守有关规定 (Art. 17).
    ART25_4 = "art25_4"
    #: 改变用途、指向方位和范围 (Art. 20(1)).
    ART26_1 = "art26_1"
    #: 非法买卖、提供、传播、复制、调取信息资料 (Art. 20(2)).
    ART26_2 = "art26_2"
    #: 删改、隐匿、破坏原始记录 (Art. 20(3)).
    ART26_3 = "art26_3"
    #: 法律、法规已有处罚规定的，从其规定.
    ART23 = "art23"


class Procedure(enum.StrEnum):
    """How a provision proceeds (see :data:`psvis.enforcement.rules.PROVISIONS`)."""

    #: Correction order with a deadline → re-check after it → fine only if not corrected.
    ORDER_FIRST = "order_first"
    #: Correction order and fine at once; referral flags.
    ORDER_AND_FINE = "order_and_fine"
    #: Another law's procedure and amounts (Art. 23): this regulation's caps do not apply.
    OTHER_LAW = "other_law"


class CaseState(enum.StrEnum):
    """A case's life. ORDER_FIRST: open → ordered → corrected | not_corrected →
    decided; ORDER_AND_FINE: open → decided; any state before decided → closed (dropped,
    with a reason); decided → closed (executed)."""

    OPEN = "open"
    ORDERED = "ordered"
    CORRECTED = "corrected"
    NOT_CORRECTED = "not_corrected"
    DECIDED = "decided"
    CLOSED = "closed"


class DocumentKind(enum.StrEnum):
    #: 责令限期改正通知书 (or, under Art. 26, 责令改正通知书: no period).
    CORRECTION_ORDER = "correction_order"
    #: 行政处罚决定书.
    PENALTY_DECISION = "penalty_decision"


class Step(enum.StrEnum):
    """What can be done next on a case (the console shows the allowed ones)."""

    ORDER = "order"
    RECHECK = "recheck"
    DECIDE = "decide"
    CLOSE = "close"
