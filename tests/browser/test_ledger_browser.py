"""The ledger pages in real Chromium: sign in, read the ledger status, run an audit that
finds a deleted segment, and verify an evidence package by uploading it (the browser's
own multipart encoding, CSRF token first, through the streaming upload)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy.orm import Session

from psvis.auth.policy import Role
from psvis.core.config import Settings
from psvis.core.timeutil import utcnow
from psvis.ledger import service as ledger
from psvis.ledger.keys import SigningKey
from psvis.ledger.package import build_package
from tests.support.factories import PASSWORD, Registry
from tests.support.media import record, storage_root

T0 = (utcnow() - dt.timedelta(hours=2)).replace(microsecond=0)


def _shot(page: Page, path: Path) -> None:
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 5_000, path


@pytest.mark.browser
def test_ledger_status_audit_and_package_verification_in_chromium(
    browser: Browser,
    live_server: str,
    registry: Registry,
    db: Session,
    settings: Settings,
    tmp_path: Path,
) -> None:
    _unit, _site, _system, camera = registry.covered_site(jurisdiction="360102")
    registry.user(role=Role.AUDITOR, jurisdiction="360100", username="auditor")
    db.commit()
    root = storage_root(db, settings.data_dir)
    key = SigningKey.load_or_create(settings.data_dir)  # the running app's key
    ledger.ensure_log(db, node_name="browser-node", key=key)
    db.commit()
    segments = record(db, root, camera.id, start=T0, seconds=6)
    package = tmp_path / "evidence.zip"
    build_package(  # signs a fresh checkpoint over the segments
        db,
        settings=settings,
        camera_id=camera.id,
        start=T0 + dt.timedelta(seconds=1),
        end=T0 + dt.timedelta(seconds=5),
        out=package,
        key=key,
    )
    (root.path / segments[2].rel_path).unlink()  # the attack the audit must find

    context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    try:
        page.goto(f"{live_server}/login")
        page.fill("#username", "auditor")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        expect(page).to_have_url(f"{live_server}/")

        # The status page, through the navigation.
        page.click("nav.nav >> text=完整性账本")
        expect(page).to_have_url(f"{live_server}/ledger")
        expect(page.locator("h1")).to_have_text("账本状态")
        expect(page.locator("#checkpoint-size")).to_have_text(re.compile(r"^\d+$"))
        expect(page.locator("#checkpoint-key")).to_have_text(key.public.fingerprint)
        expect(page.locator("#witness-none")).to_be_visible()
        full = page.locator("#root-full")
        expect(full).to_be_hidden()
        page.locator("#tree details.full-hash summary").first.click()
        expect(full).to_be_visible()
        expect(full).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
        _shot(page, tmp_path / "01-ledger.png")

        # Run the audit: it lands on the run, with the deleted segment as its finding.
        page.click("#tab-audit")
        expect(page.locator("#runs-none")).to_be_visible()
        page.click("#run-audit-button")
        expect(page).to_have_url(re.compile(r"/ledger/audit/\d+$"))
        expect(page.locator("#audit-result")).to_contain_text("发现问题")
        rows = page.locator("#audit-findings tr.finding-missing")
        expect(rows).to_have_count(1)
        expect(rows).to_contain_text("原始录像缺失（删除）")
        expect(rows.locator(f'a[href="/cameras/{camera.id}"]')).to_be_visible()
        expect(page.locator("#runs tbody tr")).to_have_count(1)
        _shot(page, tmp_path / "02-audit.png")

        # Verify the package with this node's key (the default), then in English.
        page.click("#tab-verify")
        expect(page.locator("#use-node-key")).to_be_checked()
        page.set_input_files("#package", str(package))
        page.click("#verify-button")
        expect(page.locator("#verify-verdict")).to_have_attribute("data-ok", "1")
        expect(page.locator("#verify-checks tr.check-bad")).to_have_count(0)
        expect(page.locator("#verify-checks tr.check-ok").first).to_be_visible()
        _shot(page, tmp_path / "03-verify.png")

        assert not problems, problems

        # A junk upload: the page answers 422 with the reason (Chromium logs the status).
        page.click("#lang-switch")
        expect(page.locator("h1")).to_have_text("Verify an evidence package")
        page.set_input_files(
            "#package",
            {"name": "junk.zip", "mimeType": "application/zip", "buffer": b"not a zip at all"},
        )
        page.click("#verify-button")
        expect(page.locator("#verify-error")).to_have_text(
            "The uploaded file is not a ZIP package."
        )
        assert all("422" in p for p in problems), problems
    finally:
        context.close()
