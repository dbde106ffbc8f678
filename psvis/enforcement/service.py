"""What other domains and the routes call: the enforcement services in one place.

Keyword-only; each takes the database session and the caller and queues the ledger
entry of every act in the caller's transaction (the caller commits). Errors:
:class:`~psvis.core.errors.Refused` (422) naming the article for what the law does not
allow, ``Forbidden``/``NotFound`` for who may, ``InvalidInput``, ``Conflict``.

    case = open_case(db, principal=officer, data=CaseCreate(finding_id=12, facts="…"))
    issue_order(db, principal=officer, case_id=case.id,
                data=OrderCreate(deadline=date(2026, 3, 15), requirement="设置明显标识"))
    record_recheck(db, principal=officer, case_id=case.id,
                   data=RecheckCreate(checked_on=date(2026, 3, 16), corrected=False))
    decide(db, principal=chief, case_id=case.id,
           data=DecisionCreate(fine_yuan=800, reasons="逾期未改正"))
"""

from __future__ import annotations

from psvis.enforcement.cases import (
    china_day,
    close_case,
    decide,
    decision_of,
    documents_of,
    facts_of,
    get_case,
    get_document,
    issue_order,
    list_cases,
    next_steps,
    open_case,
    order_of,
    rechecks_of,
    record_recheck,
)
from psvis.enforcement.issuing import bureau_of, violated_article_zh

__all__ = [
    "bureau_of",
    "china_day",
    "close_case",
    "decide",
    "decision_of",
    "documents_of",
    "facts_of",
    "get_case",
    "get_document",
    "issue_order",
    "list_cases",
    "next_steps",
    "open_case",
    "order_of",
    "rechecks_of",
    "record_recheck",
    "violated_article_zh",
]
