"""Enforcement in real Chromium (Art. 25(1)): a finding of the compliance check (a bank's
system without signage) is taken by the district officer through a correction order, a
re-check refused inside the period (with its article shown), a failed re-check after the
deadline, and the chief's penalty decision (1,001 yuan refused naming the article, 1,000
decided); both PDFs are downloaded and read back, and every step is on the ledger. And the
monthly report (Art. 21) generated on a tablet-sized screen, its XLSX and PDF downloaded
with the fine the database holds."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import update
from sqlalchemy.orm import Session

from psvis.auth import service as auth_service
from psvis.core.timeutil import today_china
from psvis.enforcement import service
from psvis.enforcement.enums import Basis
from psvis.enforcement.models import CorrectionOrder
from psvis.enforcement.schemas import CaseCreate, DecisionCreate
from tests.support.enforcement import acts, pdf_text, signage_world
from tests.support.factories import PASSWORD, Registry


def _sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{base}/")


def _sign_out(page: Page) -> None:
    page.click("form[action='/logout'] button")
    expect(page.locator("#username")).to_be_visible()


def _download(page: Page, row: str, target: Path) -> bytes:
    with page.expect_download() as info:
        page.click(f"#documents tr[data-kind='{row}'] a.download")
    info.value.save_as(target)
    data = target.read_bytes()
    assert data.startswith(b"%PDF-")
    return data


@pytest.mark.browser
def test_finding_order_recheck_fine_with_both_pdfs_in_chromium(
    browser: Browser, live_server: str, registry: Registry, db: Session, tmp_path: Path
) -> None:
    world = signage_world(registry, officer="officer", chief="chief")
    today = today_china()
    context = browser.new_context(
        viewport={"width": 1280, "height": 1000}, locale="zh-CN", accept_downloads=True
    )
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    try:
        # 1. The officer opens a case from the finding; the provision comes from it.
        _sign_in(page, live_server, "officer")
        page.click("nav.nav a[href='/findings']")
        page.goto(f"{live_server}/findings/{world.finding.id}")
        page.click("#open-case")
        expect(page.locator("#case-basis")).to_have_value("art25_1")
        page.fill("#case-facts", "营业网点视频监控系统未设置明显标识")
        page.click("#case-submit")
        expect(page).to_have_url(re.compile(r"/enforcement/cases/\d+$"))
        case_url = page.url
        expect(page.locator("#case-state")).to_have_text("已立案")
        expect(page.locator("#case-party")).to_contain_text("某银行东湖支行")
        expect(page.locator("#next-steps li[data-step='order']")).to_be_visible()
        expect(page.locator("#blocked-steps li[data-step='decide']")).to_contain_text(
            "第二十五条第（一）项"
        )
        page.screenshot(path=str(tmp_path / "01-case.png"), full_page=True)

        # 2. The correction order with a deadline: its document is issued.
        page.fill("#order-deadline-input", (today + dt.timedelta(days=1)).isoformat())
        page.fill("#order-requirement", "在监控区域设置明显标识")
        page.click("#order-submit")
        expect(page.locator("#case-state")).to_have_text("已责令改正")
        expect(page.locator("#documents tr[data-kind='correction_order']")).to_contain_text(
            "东湖公(治)责改字"
        )

        # 3. "Not corrected" inside the period is refused, naming the article.
        page.check("#recheck-not-corrected")
        page.click("#recheck-submit")
        expect(page.locator("#enforcement-error")).to_contain_text("第二十五条第（一）项")
        expect(page.locator("#enforcement-error")).to_contain_text("届满前")
        expect(page.locator("#case-state")).to_have_text("已责令改正")

        # The correction period passes (the order was issued 16 days ago, due yesterday).
        db.execute(
            update(CorrectionOrder).values(
                issued_on=today - dt.timedelta(days=16), deadline=today - dt.timedelta(days=1)
            )
        )
        db.commit()
        page.goto(case_url)
        page.check("#recheck-not-corrected")
        page.fill("#recheck-notes", "复查仍未设置标识")
        page.click("#recheck-submit")
        expect(page.locator("#case-state")).to_have_text("逾期未改正")
        expect(page.locator("#decision-form")).to_have_count(0)  # the chief decides
        _sign_out(page)

        # 4. The chief: 1,001 yuan is refused naming the article; 1,000 is decided.
        _sign_in(page, live_server, "chief")
        page.click("nav.nav a[href='/enforcement']")
        page.click(f"#cases a[href='{case_url.removeprefix(live_server)}']")
        expect(page.locator("#next-steps li[data-step='decide']")).to_be_visible()
        page.fill("#decision-fine-input", "1001")
        page.fill("#decision-reasons", "逾期未改正")
        page.click("#decision-submit")
        expect(page.locator("#enforcement-error")).to_contain_text("1000 元上限")
        expect(page.locator("#enforcement-error")).to_contain_text("第二十五条第（一）项")
        page.fill("#decision-fine-input", "1000")
        page.click("#decision-submit")
        expect(page.locator("#case-state")).to_have_text("已作出处罚决定")
        expect(page.locator("#decision-fine")).to_have_text("1000 元")
        page.screenshot(path=str(tmp_path / "02-decided.png"), full_page=True)

        # 5. Both documents: previewed inline, downloaded, read back.
        with page.expect_popup() as shown:
            page.click("#documents tr[data-kind='penalty_decision'] a.preview")
        assert re.search(r"/enforcement/documents/\d+$", shown.value.url)
        shown.value.close()
        order_text = pdf_text(_download(page, "correction_order", tmp_path / "order.pdf"))
        decision_text = pdf_text(_download(page, "penalty_decision", tmp_path / "decision.pdf"))
    finally:
        context.close()
    assert "责令限期改正通知书" in order_text
    assert "某银行东湖支行" in order_text
    assert "在监控区域设置明显标识" in order_text
    assert "行政处罚决定书" in decision_text
    assert "处罚款人民币1000元" in decision_text
    assert "第二十五条第（一）项" in decision_text
    # The two refusals are answered 422 on purpose (the page shows them); nothing else.
    assert [p for p in problems if "status of 422" not in p] == [], problems
    assert len(problems) == 2, problems
    assert [e["act"] for e in acts(db)] == [
        "case.opened",
        "document.issued",
        "order.issued",
        "recheck.recorded",
        "document.issued",
        "penalty.decided",
    ]


@pytest.mark.browser
def test_monthly_report_on_a_tablet_downloads_matching_files(
    browser: Browser, live_server: str, registry: Registry, db: Session, tmp_path: Path
) -> None:
    """The chief generates this month's report of the district on a tablet-sized screen:
    the page's figures, the XLSX cells and the PDF's text carry the fine decided today
    (the database's number), and the XLSX has its charts."""
    world = signage_world(registry, officer="officer", chief="chief")
    officer = auth_service.principal_for(db, user=world.officer)
    chief = auth_service.principal_for(db, user=world.chief)
    case = service.open_case(
        db,
        principal=officer,
        data=CaseCreate(unit_id=world.unit.id, basis=Basis.ART26_3, facts="删除原始录像"),
    )
    service.decide(
        db,
        principal=chief,
        case_id=case.id,
        data=DecisionCreate(
            fine_yuan=700, requirement="恢复并保存原始录像", reasons="删改原始记录"
        ),
    )
    db.commit()
    month = today_china().strftime("%Y-%m")
    context = browser.new_context(
        viewport={"width": 800, "height": 1280}, locale="zh-CN", accept_downloads=True
    )
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    try:
        _sign_in(page, live_server, "chief")
        page.goto(f"{live_server}/enforcement/reports")
        page.select_option("#r-jurisdiction", "360102")
        page.fill("#r-month", month)
        page.click("#r-generate")
        row = page.locator("#report-cases tr[data-basis='art26_3'] td")
        expect(row.nth(4)).to_have_text("700")
        page.screenshot(path=str(tmp_path / "report-tablet.png"), full_page=True)
        with page.expect_download() as xlsx_info:
            page.click("#r-xlsx")
        with page.expect_download() as pdf_info:
            page.click("#r-pdf")
        xlsx_info.value.save_as(tmp_path / "r.xlsx")
        pdf_info.value.save_as(tmp_path / "r.pdf")
    finally:
        context.close()
    assert problems == []
    book = openpyxl.load_workbook(io.BytesIO((tmp_path / "r.xlsx").read_bytes()))
    cases = {r[0]: r[1:] for r in book["案件"].iter_rows(min_row=2, values_only=True)}
    art26_3 = next(v for k, v in cases.items() if str(k).startswith("第二十六条第（三）项"))
    assert art26_3 == (1, 1, 1, 700)  # opened, order (with the decision), decision, fines
    assert len(book["案件"]._charts) == 1
    text = pdf_text((tmp_path / "r.pdf").read_bytes())
    assert "监督管理月报" in text
    assert month in text
