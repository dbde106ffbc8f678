"""Health in real Chromium: the district's dashboard (online %, faults by class, open
tickets), a camera's history with its keyframe thumbnail loaded, and the maintainer's
ticket page — acknowledged, repair reported, still open until a diagnosis verifies."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy.orm import Session

from psvis.auth.policy import Role
from psvis.core.config import Settings
from psvis.core.timeutil import utcnow
from psvis.health import tickets
from psvis.health.chore import run_cycle
from psvis.health.enums import TicketCause
from tests.support.factories import PASSWORD, Registry
from tests.support.media import record, storage_root


def _sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{base}/")


@pytest.mark.browser
def test_dashboard_camera_history_and_ticket_in_chromium(
    browser: Browser, live_server: str, registry: Registry, db: Session, settings: Settings
) -> None:
    unit, site, _y, _c = registry.covered_site(jurisdiction="360102")
    contractor = registry.unit(name="维保公司甲")
    system = registry.system(site=site, unit=unit, maintainer_unit_id=contractor.id)
    camera = registry.camera(system=system, name="营业厅入口")
    registry.user(role=Role.OFFICER, jurisdiction="360102", username="officer")
    registry.user(role=Role.MAINTAINER, units=(contractor.id,), username="fixer")
    db.commit()
    root = storage_root(db, settings.data_dir)
    record(db, root, camera.id, start=utcnow() - dt.timedelta(seconds=20), seconds=4)
    run_cycle(db, settings=settings, force=True)
    now = utcnow()
    ticket = tickets.open_ticket(
        db,
        camera_id=camera.id,
        cause=TicketCause.SCENE_SHIFT,
        fault_since=now,
        now=now,
        deadline=dt.timedelta(hours=24),
    )
    assert ticket is not None
    db.commit()

    context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    try:
        _sign_in(page, live_server, "officer")
        page.click("nav a[href='/health']")
        expect(page.locator("h1")).to_contain_text("设备健康")
        expect(page.locator("#health-tickets .num")).to_have_text("1")
        expect(page.locator("#faults-by-class tr[data-class='scene_shift']")).to_contain_text(
            "场景变换"
        )
        expect(page.locator("#health-by-jurisdiction")).to_contain_text("东湖区")

        page.goto(f"{live_server}/health/cameras/{camera.id}")
        expect(page.locator("#baseline")).to_contain_text("首次诊断自动采集")
        thumb = page.locator("#diagnoses img.thumb").first
        expect(thumb).to_be_visible()
        page.wait_for_function(
            "() => document.querySelector('#diagnoses img.thumb').naturalWidth > 0"
        )
        expect(page.locator("#camera-tickets")).to_contain_text("场景变换")
        page.click("form[action='/logout'] button")

        _sign_in(page, live_server, "fixer")
        page.click("nav a[href='/health/tickets']")
        page.click(f"#tickets tr[data-ticket='{ticket.id}'] a")
        expect(page.locator("#ticket-state")).to_have_text("待签收")
        page.click("#ack")
        expect(page.locator("#ticket-state")).to_have_text("已签收")
        page.fill("#repair-note", "恢复摄像机原指向")
        page.click("#report-repair")
        expect(page.locator("#ticket-state")).to_have_text("已报修复，待验证")
        expect(page.locator(".notice")).to_contain_text("下一次视频诊断")
        page.goto(f"{live_server}/health/tickets/{ticket.id}?lang=en")
        expect(page.locator("#ticket-state")).to_have_text("Repair reported, to verify")
        assert problems == []
    finally:
        context.close()
