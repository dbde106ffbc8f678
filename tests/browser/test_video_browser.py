"""Video in real Chromium: live view and playback through hls.js, the day timeline.

Debian's Chromium decodes H.264 through Media Source Extensions (checked below), so the
``<video>`` elements must actually play: ``currentTime`` advances. Were H.264 missing,
the live view would fall back to a refreshed snapshot image, and the test accepts that
only when the browser reports no H.264 support.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy.orm import Session

from psvis.api.deps import SESSION_COOKIE
from psvis.auth import service as auth_service
from psvis.auth.policy import Role
from psvis.core.config import Settings
from psvis.core.timeutil import CHINA_TZ, utcnow
from psvis.recording.enums import OutageCause
from tests.support.custody import grant
from tests.support.factories import PASSWORD, Registry
from tests.support.media import outage, record, storage_root

H264 = 'video/mp4; codecs="avc1.42E01E"'
PAST = dt.datetime(2025, 3, 1, 10, 0, 0, tzinfo=CHINA_TZ)


def _shot(page: Page, path: Path) -> None:
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 5_000, path


def _plays(page: Page, selector: str, *, beyond: float = 1.0) -> float:
    """Wait until the video's currentTime passes ``beyond`` seconds; return it."""
    page.wait_for_function(
        "([sel, t]) => { const v = document.querySelector(sel);"
        " return v && v.currentTime > t && !v.paused; }",
        arg=[selector, beyond],
        timeout=30_000,
    )
    return float(page.eval_on_selector(selector, "v => v.currentTime"))


@pytest.mark.browser
def test_live_view_timeline_and_playback_play_in_chromium(
    browser: Browser,
    live_server: str,
    registry: Registry,
    db: Session,
    settings: Settings,
    tmp_path: Path,
) -> None:
    _unit, _site, _system, camera = registry.covered_site(jurisdiction="360102", networked=True)
    city = registry.user(role=Role.CITY_ADMIN, jurisdiction="360100", username="city")
    db.commit()
    root = storage_root(db, settings.data_dir)
    # A past morning: 8 s, a 5-minute outage, 6 s more (a discontinuity), for playback.
    record(db, root, camera.id, start=PAST.astimezone(dt.UTC), seconds=8)
    outage(
        db,
        camera.id,
        start=(PAST + dt.timedelta(seconds=8)).astimezone(dt.UTC),
        end=(PAST + dt.timedelta(minutes=5)).astimezone(dt.UTC),
        cause=OutageCause.STREAM_ERROR,
    )
    record(db, root, camera.id, start=(PAST + dt.timedelta(minutes=5)).astimezone(dt.UTC))
    # Live (sealed last: the sealer never places a segment before the previous one): the
    # last 24 s in 2 s segments; the live window is the newest six.
    fresh = (utcnow() - dt.timedelta(seconds=26)).replace(microsecond=0)
    record(db, root, camera.id, start=fresh, seconds=24, segment_seconds=2)

    context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    try:
        page.goto(f"{live_server}/login")
        page.fill("#username", "city")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        expect(page).to_have_url(f"{live_server}/")
        # Recorded footage only through an approved request's execution session (Art.
        # 18-19), bound to this console sign-in so the players' fetches go through it.
        cookie = next(c["value"] for c in context.cookies() if c["name"] == SESSION_COOKIE)
        _user, token = auth_service.resolve_token(db, token=cookie, kind="session")
        grant(
            registry,
            officer=city,
            cameras=[camera.id],
            start=PAST.astimezone(dt.UTC),
            end=(PAST + dt.timedelta(minutes=10)).astimezone(dt.UTC),
            data_dir=settings.data_dir,
            console_token_id=token.id,
        )

        page.goto(f"{live_server}/cameras/{camera.id}")
        page.click("#video-link")
        expect(page).to_have_url(re.compile(rf"/cameras/{camera.id}/video$"))
        h264 = bool(page.evaluate(f"() => MediaSource.isTypeSupported('{H264}')"))
        if h264:
            expect(page.locator("#live-video")).to_have_attribute("data-mode", "hls")
            position = _plays(page, "#live-video")
            assert position > 1.0
        else:  # no H.264 in this Chromium: the snapshot fallback must show an image
            expect(page.locator("#live-snapshot")).to_be_visible()
            page.wait_for_function(
                "() => document.getElementById('live-snapshot').naturalWidth > 0"
            )
        _shot(page, tmp_path / "01-live.png")

        # The day timeline of the past morning: recorded, an outage, then a gap.
        page.goto(f"{live_server}/cameras/{camera.id}/video?day=2025-03-01")
        svg = page.locator("#timeline-svg")
        expect(svg).to_be_visible()
        expect(page.locator("#timeline-svg rect.bar-recorded")).to_have_count(2)
        expect(page.locator("#timeline-svg rect.bar-outage")).to_have_count(1)
        expect(page.locator("#timeline-svg rect.bar-gap")).to_have_count(1)
        expect(page.locator("#outages tr.outage")).to_contain_text("视频流错误")
        box = svg.bounding_box()
        assert box is not None
        assert box["width"] > 800

        # Click the first recorded span: it plays, across the discontinuity into run two.
        page.locator("#timeline-svg a").first.click()
        expect(page).to_have_url(re.compile(r"start=10%3A00%3A00"))
        page.fill("#end", "10:05:06")
        page.click("#play")
        if h264:
            expect(page.locator("#playback-video")).to_have_attribute("data-mode", "hls")
            # Past the first run's 8 s: hls.js crossed the discontinuity into run two.
            assert _plays(page, "#playback-video", beyond=9.0) > 9.0
        expect(page.locator("#clip-link")).to_be_visible()
        _shot(page, tmp_path / "02-playback.png")

        page.goto(f"{live_server}/recorders")
        expect(page.locator("h1")).to_have_text("录像机状态")
        _shot(page, tmp_path / "03-recorders.png")
        assert not problems, problems
    finally:
        context.close()
