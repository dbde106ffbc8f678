"""The console in real Chromium: sign in, browse, switch language, see the map."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from psvis.auth.policy import Role
from psvis.compliance.service import run_check
from psvis.registry.enums import CameraRole, SiteCategory
from tests.support.factories import PASSWORD, Registry

#: District code → (name prefix, centre lon, centre lat) for the seeded cameras.
DISTRICTS = {
    "360102": ("东湖", 115.899, 28.685),
    "360103": ("西湖", 115.877, 28.656),
    "360111": ("青山湖", 115.962, 28.682),
    "360113": ("红谷滩", 115.858, 28.699),
}
ROLES = (CameraRole.ENTRANCE, CameraRole.PASSAGE, CameraRole.KEY_SPOT)


def seed(registry: Registry) -> int:
    """A few units, sites, systems and cameras per district; returns the camera count."""
    count = 0
    for code, (prefix, lon, lat) in DISTRICTS.items():
        unit = registry.unit(jurisdiction=code, name=f"{prefix}农商银行")
        for s in range(2):
            site = registry.site(unit=unit, category=SiteCategory.ART8_4)
            system = registry.system(site=site, unit=unit)
            for c in range(3):
                angle = (s * 3 + c) * math.tau / 6
                registry.camera(
                    system=system,
                    name=f"{prefix}网点{s + 1}-{ROLES[c].value}",
                    lat=round(lat + 0.006 * math.sin(angle), 6),
                    lon=round(lon + 0.006 * math.cos(angle), 6),
                    azimuth_deg=float((60 * c + 45 * s) % 360),
                    role=ROLES[c],
                    **({"password": "s3cret-pass"} if count == 0 else {}),
                )
                count += 1
        registry.site(unit=unit, category=SiteCategory.ART8_10)  # uncovered → Art. 8 finding
    run_check(registry.session)
    registry.user(role=Role.CITY_ADMIN, jurisdiction="360100", username="city")
    registry.session.commit()
    return count


def _shot(page: Page, path: Path) -> Path:
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 0
    return path


@pytest.mark.browser
def test_sign_in_browse_switch_language_and_map(
    browser: Browser, live_server: str, registry: Registry, tmp_path: Path
) -> None:
    cameras = seed(registry)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    try:
        page.goto(f"{live_server}/")
        expect(page).to_have_url(re.compile(r"/login"))
        expect(page.locator("h1")).to_have_text("用户登录")
        _shot(page, tmp_path / "00-login.png")
        page.fill("#username", "city")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        expect(page).to_have_url(f"{live_server}/")
        expect(page.locator("h1")).to_contain_text("工作概览")
        expect(page.locator("#count-cameras .num")).to_have_text(str(cameras))
        expect(page.locator("#count-findings .num")).to_have_text(str(len(DISTRICTS)))
        _shot(page, tmp_path / "01-dashboard.png")

        page.click("nav.nav >> text=摄像机")
        expect(page.locator("h1")).to_contain_text("摄像机列表")
        expect(page.locator("#cameras tbody tr")).to_have_count(cameras)
        _shot(page, tmp_path / "02-cameras.png")

        page.locator("#cameras tbody tr").first.locator("td:nth-child(3) a").click()
        expect(page.locator("#password-state")).to_contain_text("已设置")
        assert "s3cret-pass" not in page.content()
        _shot(page, tmp_path / "03-camera.png")

        page.click("#lang-switch")
        expect(page.locator("#password-state")).to_contain_text("Set (stored encrypted")
        expect(page.locator("html")).to_have_attribute("lang", "en")

        page.click("nav.nav >> text=Map")
        expect(page.locator("h1")).to_have_text("Camera map")
        svg = page.locator("svg#camera-map")
        expect(svg).to_be_visible()
        expect(svg.locator("circle.cam")).to_have_count(cameras)
        expect(page.locator("#map-legend")).to_contain_text("Donghu District")
        title = svg.locator("circle.cam title").first.text_content() or ""
        assert re.search(r"\d{20}", title), title
        shot = _shot(page, tmp_path / "04-map.png")
        assert shot.stat().st_size > 10_000

        page.click("nav.nav >> text=Findings")
        expect(page.locator("#findings tbody tr")).to_have_count(len(DISTRICTS))
        _shot(page, tmp_path / "05-findings.png")

        page.set_viewport_size({"width": 820, "height": 1180})  # a tablet, portrait
        page.click("nav.nav >> text=Sites")
        _shot(page, tmp_path / "06-sites-tablet.png")
        page.locator("#sites tbody tr").first.locator("td:nth-child(2) a").click()
        _shot(page, tmp_path / "07-site-tablet.png")
    finally:
        context.close()
    assert not problems, problems


@pytest.mark.browser
def test_sign_out_in_the_browser(browser: Browser, live_server: str, registry: Registry) -> None:
    registry.user(role=Role.OFFICER, jurisdiction="360102", username="cop")
    registry.session.commit()
    context = browser.new_context()
    page = context.new_page()
    messages: list[ConsoleMessage] = []
    page.on("console", lambda m: messages.append(m))
    try:
        page.goto(f"{live_server}/login")
        page.fill("#username", "cop")
        page.fill("#password", "not the password")
        page.click("button[type=submit]")
        expect(page.locator(".alert")).to_contain_text("用户名或密码错误")
        page.fill("#username", "cop")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        expect(page.locator("h1")).to_contain_text("工作概览")
        page.click("text=退出登录")
        expect(page).to_have_url(re.compile(r"/login\?out=1$"))
        expect(page.locator(".notice")).to_contain_text("您已退出登录")
        page.goto(f"{live_server}/cameras")
        expect(page).to_have_url(re.compile(r"/login\?next="))
    finally:
        context.close()
    errors = [m.text for m in messages if m.type == "error"]
    # The refused sign-in answers 401 (Chromium logs that); nothing else may fail.
    assert [e for e in errors if "status of 401" not in e] == []
