"""The report page (Art. 21): figures of one's own jurisdiction, the downloads (XLSX and
PDF with the page's language), a malformed or future month refused on the page with
its article, another district's report not found, the archived reports' links; every
word of the reports in the catalog."""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
from fastapi.testclient import TestClient

from psvis.auth.policy import Role
from psvis.console.i18n import CATALOG
from psvis.core.timeutil import today_china
from psvis.enforcement import report_rules
from psvis.registry.enums import MANDATORY_CATEGORIES, SiteCategory
from tests.integration.console.helpers import signed_in
from tests.support.factories import Registry


def test_every_report_word_is_in_the_catalog() -> None:
    used: set[str] = set()
    for module in ("report_xlsx", "report_pdf"):
        used |= set(
            re.findall(
                r'"(report\.[a-z_.]+)"', Path(f"psvis/enforcement/{module}.py").read_text("utf-8")
            )
        )
    template = Path("psvis/console/templates/enforcement/reports.html").read_text("utf-8")
    used |= set(re.findall(r"t\('(report\.[a-z_.]+)'\)", template))
    assert len(used) > 20
    assert not sorted(k for k in used if k not in CATALOG)
    for rule in ("report_month_in_future", "report_before_in_force"):
        assert f"enforcement.rule.{rule}" in CATALOG
    for category in MANDATORY_CATEGORIES:
        assert f"category.{category.value}" in CATALOG


def test_report_page_downloads_and_refusals(client: TestClient, registry: Registry) -> None:
    unit = registry.unit(jurisdiction="360102", name="某学校")
    registry.site(unit=unit, category=SiteCategory.ART8_5)
    registry.user(role=Role.CHIEF, jurisdiction="360102", username="chief")
    registry.session.commit()
    signed_in(client, "chief")
    month = report_rules.month_label(today_china().replace(day=1))  # the current month
    page = client.get("/enforcement/reports", params={"jurisdiction": "360102", "month": month})
    assert page.status_code == 200, page.text
    assert 'id="tab-reports"' in page.text
    row = re.search(r'data-category="art8_5"><td>[^<]*</td><td class="num">(\d+)</td>', page.text)
    assert row is not None
    assert row.group(1) == "1"
    assert "@media (max-width: 700px)" in page.text
    xlsx = client.get(f"/enforcement/reports/360102/{month}/xlsx")
    assert xlsx.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames[0] == "概要"
    english = client.get(f"/enforcement/reports/360102/{month}/xlsx", params={"lang": "en"})
    assert openpyxl.load_workbook(io.BytesIO(english.content)).sheetnames[0] == "Summary"
    pdf = client.get(f"/enforcement/reports/360102/{month}/pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert "attachment" in pdf.headers["content-disposition"]

    future = report_rules.month_label(report_rules.next_month(today_china().replace(day=1)))
    refused = client.get("/enforcement/reports", params={"jurisdiction": "360102", "month": future})
    assert refused.status_code == 422
    assert "第二十一条" in refused.text
    bad = client.get("/enforcement/reports", params={"month": "2026-13"})
    assert bad.status_code == 422
    assert "YYYY-MM" in bad.text
    away = client.get("/enforcement/reports", params={"jurisdiction": "360103", "month": month})
    assert away.status_code == 422  # shown as the page's error: not found for this chief
    assert "not found" in away.text
    for path in (
        f"/enforcement/reports/360103/{month}/pdf",
        f"/enforcement/reports/360102/{month}/docx",
        "/enforcement/reports/360102/2026-3/pdf",
        "/enforcement/reports/x<1>/2026-03/pdf",
        "/enforcement/reports/stored/1/pdf",
    ):
        assert client.get(path).status_code == 404, path


def test_unit_admin_may_not_read_reports(client: TestClient, registry: Registry) -> None:
    unit = registry.unit(jurisdiction="360102")
    registry.user(role=Role.UNIT_ADMIN, units=(unit.id,), username="uadmin")
    registry.session.commit()
    signed_in(client, "uadmin")
    assert client.get("/enforcement/reports").status_code == 403
