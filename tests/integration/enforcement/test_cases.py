"""Enforcement services on both backends: a finding taken through order → re-check →
fine with both PDFs, Art. 26 at once with referral, Art. 23 under another law, the
refusals at their boundaries, numbering per bureau and year, jurisdiction, the ledger."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from sqlalchemy.orm import Session

from psvis.auth import service as auth_service
from psvis.auth.models import User
from psvis.auth.policy import Role
from psvis.auth.principal import Principal
from psvis.core.errors import Conflict, Forbidden, NotFound, Refused
from psvis.enforcement import service
from psvis.enforcement.enums import Basis, CaseState, DocumentKind
from psvis.enforcement.models import EnforcementDocument
from psvis.enforcement.schemas import CaseCreate, DecisionCreate, OrderCreate, RecheckCreate
from tests.support.enforcement import acts, china_noon, pdf_text, signage_world
from tests.support.factories import Registry

DAY0 = dt.date(2026, 3, 2)
DEADLINE = dt.date(2026, 3, 16)


def who(db: Session, user: User) -> Principal:
    return auth_service.principal_for(db, user=user)


def refused(exc: pytest.ExceptionInfo[Refused], rule: str, article: str) -> None:
    assert exc.value.details["rule"] == rule
    assert exc.value.article == article
    assert article in exc.value.message


def test_finding_to_order_recheck_and_fine_with_documents_and_ledger(
    registry: Registry, db: Session
) -> None:
    w = signage_world(registry)
    officer, chief = who(db, w.officer), who(db, w.chief)
    case = service.open_case(
        db,
        principal=officer,
        data=CaseCreate(finding_id=w.finding.id, facts="营业网点视频监控系统未设置明显标识"),
        now=china_noon(DAY0),
    )
    db.commit()
    assert case.basis is Basis.ART25_1  # the finding's penalty article
    assert case.unit_id == w.unit.id
    assert case.party_name == "某银行东湖支行"
    assert re.fullmatch(r"360102-2026-\d{6}", case.number)
    assert case.evidence["finding"]["article_zh"] == "第十条"

    service.issue_order(
        db,
        principal=officer,
        case_id=case.id,
        data=OrderCreate(deadline=DEADLINE, requirement="在监控区域设置明显标识"),
        now=china_noon(DAY0),
    )
    db.commit()
    (order_doc,) = service.documents_of(db, case_id=case.id)
    assert order_doc.kind is DocumentKind.CORRECTION_ORDER
    assert order_doc.number == "东湖公(治)责改字〔2026〕000001号"
    text = pdf_text(order_doc.pdf)
    for expected in (
        "南昌市公安局东湖分局",
        "责令限期改正通知书",
        order_doc.number,
        "某银行东湖支行",
        "第十条",
        "第二十五条第（一）项",
        "2026年3月16日",
        "在监控区域设置明显标识",
        "1000元以下罚款",
        case.number,
    ):
        assert expected in text, expected

    # Inside the period: no failed re-check, no fine (one day before and on the deadline).
    for day in (DEADLINE - dt.timedelta(days=1), DEADLINE):
        with pytest.raises(Refused) as failed:
            service.record_recheck(
                db,
                principal=officer,
                case_id=case.id,
                data=RecheckCreate(corrected=False),
                now=china_noon(day),
            )
        refused(failed, "recheck_failed_before_deadline", "Art. 25(1)")
        with pytest.raises(Refused) as early:
            service.decide(
                db,
                principal=chief,
                case_id=case.id,
                data=DecisionCreate(fine_yuan=500, reasons="逾期未改正"),
                now=china_noon(day),
            )
        refused(early, "decide_before_deadline", "Art. 25(1)")
    after = DEADLINE + dt.timedelta(days=1)
    with pytest.raises(Refused) as no_recheck:
        service.decide(
            db,
            principal=chief,
            case_id=case.id,
            data=DecisionCreate(fine_yuan=500, reasons="逾期未改正"),
            now=china_noon(after),
        )
    refused(no_recheck, "decide_no_failed_recheck", "Art. 25(1)")
    db.rollback()

    service.record_recheck(
        db,
        principal=officer,
        case_id=case.id,
        data=RecheckCreate(corrected=False, notes="仍未设置标识"),
        now=china_noon(after),
    )
    db.commit()
    with pytest.raises(Forbidden):  # the decision is the chief's
        service.decide(
            db,
            principal=officer,
            case_id=case.id,
            data=DecisionCreate(fine_yuan=500, reasons="逾期未改正"),
            now=china_noon(after),
        )
    with pytest.raises(Refused) as over:
        service.decide(
            db,
            principal=chief,
            case_id=case.id,
            data=DecisionCreate(fine_yuan=1001, reasons="逾期未改正"),
            now=china_noon(after),
        )
    refused(over, "decide_unit_cap", "Art. 25(1)")
    with pytest.raises(Refused) as manager:
        service.decide(
            db,
            principal=chief,
            case_id=case.id,
            data=DecisionCreate(fine_yuan=1000, manager_fine_yuan=1, reasons="逾期未改正"),
            now=china_noon(after),
        )
    refused(manager, "decide_manager_not_fined", "Art. 25(1)")
    db.rollback()
    decision = service.decide(
        db,
        principal=chief,
        case_id=case.id,
        data=DecisionCreate(fine_yuan=1000, reasons="逾期未改正"),
        now=china_noon(after),
    )
    db.commit()
    assert decision.fine_yuan == 1000
    assert service.get_case(db, principal=officer, case_id=case.id).state is CaseState.DECIDED
    documents = service.documents_of(db, case_id=case.id)
    assert [d.kind for d in documents] == [
        DocumentKind.CORRECTION_ORDER,
        DocumentKind.PENALTY_DECISION,
    ]
    text = pdf_text(documents[1].pdf)
    for expected in (
        "行政处罚决定书",
        "东湖公(治)行罚决字〔2026〕000001号",
        "被处罚人：某银行东湖支行",
        order_doc.number,  # the order it follows
        "2026年3月17日",  # the failed re-check
        "逾期未改正",
        "第二十五条第（一）项",
        "处罚款人民币1000元",
        "行政复议",
    ):
        assert expected in text, expected
    assert "主管人员" not in text  # Art. 25 fines no manager

    log = acts(db)
    assert [e["act"] for e in log] == [
        "case.opened",
        "document.issued",
        "order.issued",
        "recheck.recorded",
        "document.issued",
        "penalty.decided",
    ]
    assert {e["case"] for e in log} == {case.id}
    for entry, document in zip(
        [e for e in log if e["act"] == "document.issued"], documents, strict=True
    ):
        assert entry["sha256"] == hashlib.sha256(document.pdf).hexdigest() == document.sha256
        assert entry["number"] == document.number
    decided = log[-1]
    assert (decided["fine_yuan"], decided["article"], decided["by"]) == (
        1000,
        "Art. 25(1)",
        w.chief.id,
    )
    assert log[3]["corrected"] is False


def test_art24_unit_and_manager_caps_and_the_manager_on_the_decision(
    registry: Registry, db: Session
) -> None:
    w = signage_world(registry)
    officer, chief = who(db, w.officer), who(db, w.chief)
    case = service.open_case(
        db,
        principal=officer,
        data=CaseCreate(
            unit_id=w.unit.id, basis=Basis.ART24, manager_name="张某", facts="营业场所未建设系统"
        ),
        now=china_noon(DAY0),
    )
    service.issue_order(
        db,
        principal=officer,
        case_id=case.id,
        data=OrderCreate(deadline=DEADLINE, requirement="建设系统"),
        now=china_noon(DAY0),
    )
    after = DEADLINE + dt.timedelta(days=1)
    service.record_recheck(
        db,
        principal=officer,
        case_id=case.id,
        data=RecheckCreate(corrected=False, checked_on=after),
        now=china_noon(after),
    )
    db.commit()
    with pytest.raises(Refused) as over:
        service.decide(
            db,
            principal=chief,
            case_id=case.id,
            data=DecisionCreate(fine_yuan=1000, manager_fine_yuan=201, reasons="逾期"),
            now=china_noon(after),
        )
    refused(over, "decide_manager_cap", "Art. 24")
    db.rollback()
    service.decide(
        db,
        principal=chief,
        case_id=case.id,
        data=DecisionCreate(fine_yuan=1000, manager_fine_yuan=200, reasons="逾期"),
        now=china_noon(after),
    )
    db.commit()
    text = pdf_text(service.documents_of(db, case_id=case.id)[-1].pdf)
    assert "直接负责的主管人员：张某" in text
    assert "对直接负责的主管人员张某处罚款人民币200元" in text
    assert "第二十四条" in text


def test_art26_fines_at_once_with_referral(registry: Registry, db: Session) -> None:
    w = signage_world(registry)
    officer, chief = who(db, w.officer), who(db, w.chief)
    case = service.open_case(
        db,
        principal=officer,
        data=CaseCreate(unit_id=w.unit.id, basis=Basis.ART26_3, facts="删除了原始录像"),
        now=china_noon(DAY0),
    )
    db.commit()
    with pytest.raises(Refused) as alone:
        service.issue_order(
            db,
            principal=officer,
            case_id=case.id,
            data=OrderCreate(deadline=DEADLINE, requirement="恢复"),
            now=china_noon(DAY0),
        )
    refused(alone, "order_with_fine", "Art. 26(3)")
    db.rollback()
    service.decide(
        db,
        principal=chief,
        case_id=case.id,
        data=DecisionCreate(
            fine_yuan=1000,
            refer_public_order=True,
            refer_criminal=True,
            requirement="立即停止删除行为",
            reasons="删除原始记录",
        ),
        now=china_noon(DAY0),
    )
    db.commit()
    order = service.order_of(db, case_id=case.id)
    assert order is not None
    assert order.deadline is None  # corrected at once
    (document,) = service.documents_of(db, case_id=case.id)
    text = pdf_text(document.pdf)
    assert "一、责令你（单位）立即改正上述违法行为。" in text
    assert "第二十六条第（三）项" in text
    assert "移送依法予以治安管理处罚" in text
    assert "移送依法追究刑事责任" in text
    assert "复查" not in text  # no correction period went before
    decided = acts(db)[-1]
    assert (decided["refer_public_order"], decided["refer_criminal"]) == (True, True)


def test_art23_names_the_other_law_and_is_not_capped(registry: Registry, db: Session) -> None:
    w = signage_world(registry)
    officer, chief = who(db, w.officer), who(db, w.chief)
    with pytest.raises(Refused) as unnamed:
        service.open_case(
            db,
            principal=officer,
            data=CaseCreate(unit_id=w.unit.id, basis=Basis.ART23, facts="违法设置户外广告"),
        )
    refused(unnamed, "art23_other_law_named", "Art. 23")
    case = service.open_case(
        db,
        principal=officer,
        data=CaseCreate(
            unit_id=w.unit.id,
            basis=Basis.ART23,
            other_law="城市市容和环境卫生管理条例",
            facts="违法设置户外广告遮挡摄像机",
        ),
        now=china_noon(DAY0),
    )
    service.decide(
        db,
        principal=chief,
        case_id=case.id,
        data=DecisionCreate(fine_yuan=5000, reasons="依照其他法规处罚"),
        now=china_noon(DAY0),
    )
    db.commit()
    text = pdf_text(service.documents_of(db, case_id=case.id)[-1].pdf)
    assert "《城市市容和环境卫生管理条例》" in text
    assert "第二十三条" in text
    assert "处罚款人民币5000元" in text
    assert "第二十五条" not in text


def test_numbering_per_bureau_and_year(registry: Registry, db: Session) -> None:
    w = signage_world(registry)
    away_unit = registry.unit(jurisdiction="360103")
    db.commit()
    numbers = []
    for principal, unit_id, when in (
        (who(db, w.officer), w.unit.id, china_noon(DAY0)),
        (who(db, w.officer), w.unit.id, china_noon(DAY0)),
        (who(db, w.away_officer), away_unit.id, china_noon(DAY0)),
        # 2026-12-31 16:30Z is already 2027 in China.
        (who(db, w.officer), w.unit.id, dt.datetime(2026, 12, 31, 16, 30, tzinfo=dt.UTC)),
    ):
        case = service.open_case(
            db,
            principal=principal,
            data=CaseCreate(unit_id=unit_id, basis=Basis.ART25_2, facts="树木遮挡"),
            now=when,
        )
        service.issue_order(
            db,
            principal=principal,
            case_id=case.id,
            data=OrderCreate(deadline=dt.date(2027, 6, 1), requirement="修剪"),
            now=when,
        )
        numbers.append(case.number)
    db.commit()
    assert numbers == [
        "360102-2026-000001",
        "360102-2026-000002",
        "360103-2026-000001",
        "360102-2027-000001",
    ]
    docs = sorted(d.number for d in db.query(EnforcementDocument))
    assert docs == sorted(
        [
            "东湖公(治)责改字〔2026〕000001号",
            "东湖公(治)责改字〔2026〕000002号",
            "西湖公(治)责改字〔2026〕000001号",
            "东湖公(治)责改字〔2027〕000001号",
        ]
    )


def test_jurisdiction_scoping_and_one_case_per_finding(registry: Registry, db: Session) -> None:
    w = signage_world(registry)
    away = who(db, w.away_officer)
    with pytest.raises(NotFound):  # the finding does not exist for the other district
        service.open_case(db, principal=away, data=CaseCreate(finding_id=w.finding.id, facts="x"))
    with pytest.raises(NotFound):
        service.open_case(
            db,
            principal=away,
            data=CaseCreate(
                jurisdiction_code="360102", party_name="某人", basis=Basis.ART25_2, facts="x"
            ),
        )
    case = service.open_case(
        db, principal=who(db, w.officer), data=CaseCreate(finding_id=w.finding.id, facts="无标识")
    )
    db.commit()
    with pytest.raises(Conflict):
        service.open_case(
            db, principal=who(db, w.officer), data=CaseCreate(finding_id=w.finding.id, facts="再")
        )
    db.rollback()
    with pytest.raises(NotFound):
        service.get_case(db, principal=away, case_id=case.id)
    with pytest.raises(NotFound):
        service.decide(
            db,
            principal=who(db, w.away_chief),
            case_id=case.id,
            data=DecisionCreate(fine_yuan=1, reasons="x"),
        )
    rows, total = service.list_cases(db, principal=away)
    assert (rows, total) == ([], 0)
    # The unit's admin reads its own unit's cases, and nothing else.
    admin = registry.user(role=Role.UNIT_ADMIN, units=(w.unit.id,))
    db.commit()
    rows, total = service.list_cases(db, principal=who(db, admin))
    assert [r.id for r in rows] == [case.id]
    with pytest.raises(Forbidden):
        service.close_case(db, principal=who(db, admin), case_id=case.id, reason="已改正")
