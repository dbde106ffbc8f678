"""Issuing a case's documents: the bureau's name and number series, the PDF rendered from
its template, stored with its SHA-256, and a ``document.issued`` ledger entry — in the
caller's transaction, so a document exists exactly when its act does.

Numbers run per bureau, kind and China-time year: ``东湖公(治)责改字〔2026〕000001号``
(correction orders), ``东湖公(治)行罚决字〔2026〕000001号`` (penalty decisions).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from psvis.auth.principal import Principal
from psvis.core.errors import Conflict, InvalidInput
from psvis.core.timeutil import CHINA_TZ
from psvis.custody.fonts import FontFace
from psvis.enforcement import acts, documents, rules, templates
from psvis.enforcement.acts import Act
from psvis.enforcement.enums import DocumentKind
from psvis.enforcement.models import (
    CorrectionOrder,
    EnforcementCase,
    EnforcementDocument,
    PenaltyDecision,
    Recheck,
)
from psvis.registry.models import Jurisdiction


@dataclass(frozen=True, slots=True)
class Bureau:
    """The issuing police bureau of a jurisdiction: its code, full name and the short
    name that starts its document numbers."""

    code: str
    name: str
    short: str


def bureau_of(db: Session, code: str) -> Bureau:
    """南昌市 → 南昌市公安局 (南昌); 东湖区 → 南昌市公安局东湖分局 (东湖); 南昌县 →
    南昌县公安局 (南昌县). Read from the jurisdiction tree, so another city's data names
    its own bureaus."""
    node = db.get(Jurisdiction, code)
    if node is None:
        raise InvalidInput(f"unknown jurisdiction {code}")
    parent = db.get(Jurisdiction, node.parent_code) if node.parent_code else None
    if node.level == "district" and node.name.endswith("区") and parent is not None:
        short = node.name.removesuffix("区")
        return Bureau(code, f"{parent.name}公安局{short}分局", short)
    short = node.name.removesuffix("市") if node.level == "city" else node.name
    return Bureau(code, f"{node.name}公安局", short)


def next_serial(db: Session, column: Any, *where: ColumnElement[bool]) -> int:
    last = db.scalar(select(func.max(column)).where(*where))
    return int(last or 0) + 1


def insert_numbered(
    db: Session,
    row: EnforcementCase | EnforcementDocument,
    number: Callable[[Any], None],
) -> None:
    """Insert ``row`` with the next serial of its series (``number`` sets it). Two of a
    series at the same instant collide on the unique constraint: the loser's whole
    transaction fails with a Conflict to retry. No savepoint retry here: on SQLite a
    savepoint opened before any write starts the transaction and its release commits it,
    which would split the row from its ledger entry."""
    number(row)
    db.add(row)
    try:
        db.flush()
    except IntegrityError as exc:
        raise Conflict("another record took the same number at the same time; try again") from exc


def violated_article_zh(case: EnforcementCase) -> str:
    """The article the finding found breached (e.g. 第十条), "" when opened without one."""
    finding = case.evidence.get("finding")
    return str(finding.get("article_zh", "")) if isinstance(finding, dict) else ""


def _store(
    db: Session,
    *,
    case: EnforcementCase,
    kind: DocumentKind,
    principal: Principal,
    now: dt.datetime,
    text_of: Callable[[Bureau, str], documents.DocumentText],
    fonts: Sequence[FontFace] | None,
) -> EnforcementDocument:
    """Number, render, store and log one document. The PDF is rendered with its final
    number; a lost race for the serial renders again with the next one."""
    bureau = bureau_of(db, case.bureau_code)
    year = now.astimezone(CHINA_TZ).year
    word = templates.NUMBER_WORDS[kind.value]
    row = EnforcementDocument(
        case_id=case.id,
        kind=kind,
        bureau_code=bureau.code,
        year=year,
        issued_by=principal.user_id,
        issued_at=now,
    )

    def number(target: Any) -> None:
        target.serial = next_serial(
            db,
            EnforcementDocument.serial,
            EnforcementDocument.bureau_code == bureau.code,
            EnforcementDocument.kind == kind,
            EnforcementDocument.year == year,
        )
        target.number = f"{bureau.short}公(治){word}〔{year}〕{target.serial:06d}号"
        pdf = documents.render(text_of(bureau, target.number), fonts=fonts, generated_at=now)
        target.pdf = pdf
        target.size_bytes = len(pdf)
        target.sha256 = hashlib.sha256(pdf).hexdigest()

    insert_numbered(db, row, number)
    acts.log(
        db,
        Act.DOCUMENT_ISSUED,
        at=now,
        case=case.id,
        document=row.id,
        kind=str(kind),
        number=row.number,
        sha256=row.sha256,
        size=row.size_bytes,
    )
    return row


def issue_order_document(
    db: Session,
    *,
    case: EnforcementCase,
    order: CorrectionOrder,
    principal: Principal,
    now: dt.datetime,
    fonts: Sequence[FontFace] | None = None,
) -> EnforcementDocument:
    """责令限期改正通知书 of ``order``."""

    def text(bureau: Bureau, number: str) -> documents.DocumentText:
        return documents.correction_order_text(
            bureau=bureau.name,
            number=number,
            issued_on=order.issued_on,
            party=case.party_name,
            facts=case.facts,
            violated_zh=violated_article_zh(case),
            provision=rules.provision(case.basis),
            other_law=case.other_law,
            deadline=order.deadline,
            requirement=order.requirement,
            case_number=case.number,
        )

    return _store(
        db,
        case=case,
        kind=DocumentKind.CORRECTION_ORDER,
        principal=principal,
        now=now,
        text_of=text,
        fonts=fonts,
    )


def issue_decision_document(
    db: Session,
    *,
    case: EnforcementCase,
    decision: PenaltyDecision,
    principal: Principal,
    now: dt.datetime,
    fonts: Sequence[FontFace] | None = None,
) -> EnforcementDocument:
    """行政处罚决定书 of ``decision``, citing the order and the failed re-check when the
    procedure went through them."""
    order = db.scalar(select(CorrectionOrder).where(CorrectionOrder.case_id == case.id))
    order_doc = db.scalar(
        select(EnforcementDocument).where(
            EnforcementDocument.case_id == case.id,
            EnforcementDocument.kind == DocumentKind.CORRECTION_ORDER,
        )
    )
    failed = db.scalar(
        select(func.max(Recheck.checked_on)).where(
            Recheck.case_id == case.id, Recheck.corrected.is_(False)
        )
    )
    with_period = order is not None and order.deadline is not None and failed is not None

    def text(bureau: Bureau, number: str) -> documents.DocumentText:
        return documents.penalty_decision_text(
            bureau=bureau.name,
            number=number,
            issued_on=decision.decided_on,
            party=case.party_name,
            manager=case.manager_name,
            facts=case.facts,
            violated_zh=violated_article_zh(case),
            provision=rules.provision(case.basis),
            other_law=case.other_law,
            case_number=case.number,
            ordered_on=order.issued_on if with_period and order else None,
            order_number=order_doc.number if with_period and order_doc else "",
            deadline=order.deadline if with_period and order else None,
            rechecked_on=failed if with_period else None,
            fine_yuan=decision.fine_yuan,
            manager_fine_yuan=decision.manager_fine_yuan,
            refer_public_order=decision.refer_public_order,
            refer_criminal=decision.refer_criminal,
            reasons=decision.reasons,
        )

    return _store(
        db,
        case=case,
        kind=DocumentKind.PENALTY_DECISION,
        principal=principal,
        now=now,
        text_of=text,
        fonts=fonts,
    )
