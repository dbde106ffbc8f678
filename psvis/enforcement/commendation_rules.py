"""Art. 22 (对在维护社会治安、预防和打击违法犯罪中作出突出贡献的使用单位，给予表彰奖励)
as pure decisions: a commendation goes to a user unit for something on record — the
suspicious-information report it made (Art. 17(5)), the retrieval request whose
footage it provided (Art. 18), or a case it helped — and that record must be the unit's.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Collection

from psvis.compliance.rules import Decision


class SourceKind(enum.StrEnum):
    #: A suspicious-information report the unit made (Art. 17(5)).
    SUSPICIOUS_REPORT = "suspicious_report"
    #: A retrieval request whose footage came from the unit's cameras (Art. 18).
    CUSTODY_REQUEST = "custody_request"
    #: An enforcement case the unit was party to or helped.
    CASE = "case"


def may_commend(
    *, source_units: Collection[int], unit_id: int, awarded_on: dt.date, today: dt.date
) -> Decision:
    """``source_units``: the units the source record belongs to (the report's unit, the
    request's cameras' user units, the case's unit)."""
    a, z = "Art. 22", "第二十二条"
    if unit_id not in source_units:
        return Decision(
            ok=False,
            rule="commendation_unit_not_source",
            article=a,
            article_zh=z,
            reason="the unit is not the one the report, request or case came from",
            evidence={"source_units": sorted(source_units)},
        )
    if awarded_on > today:
        return Decision(
            ok=False,
            rule="commendation_in_future",
            article=a,
            article_zh=z,
            reason="a commendation is recorded once it is given",
        )
    return Decision(ok=True, rule="commendation_ok", article=a, article_zh=z, reason="")
