"""The enforcement console: every message in both languages and every template key in
the catalog, every refusal rule with its sentence, the pages in both languages and a
refusal shown with its article, and CSRF on every form."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from psvis.console.enforcement_i18n import ENFORCEMENT_MESSAGES
from psvis.console.i18n import CATALOG, LANGUAGES
from psvis.console.render import TEMPLATE_DIR
from psvis.enforcement.enums import Basis, CaseState, DocumentKind, Procedure, Step
from tests.integration.console.helpers import csrf_field, signed_in
from tests.support.enforcement import signage_world
from tests.support.factories import Registry


def test_catalog_is_complete() -> None:
    for key, entry in ENFORCEMENT_MESSAGES.items():
        assert set(entry) == set(LANGUAGES), key
        assert CATALOG[key] == entry, f"{key} is not merged into the console catalog"
    used: set[str] = set()
    for template in (TEMPLATE_DIR / "enforcement").glob("*.html"):
        used |= set(re.findall(r"""\bt\(\s*'([^']+)'""", template.read_text("utf-8")))
    prefixes = {k for k in used if k.endswith(".")}
    assert not sorted(k for k in used - prefixes if k not in CATALOG)
    for prefix, values in (
        ("enforcement.state.", CaseState),
        ("enforcement.basis.", Basis),
        ("enforcement.procedure.", Procedure),
        ("enforcement.step.", Step),
        ("enforcement.doc_kind.", DocumentKind),
    ):
        assert prefix in prefixes, prefix
        for value in values:
            assert f"{prefix}{value.value}" in CATALOG, (prefix, value)
    rules_py = Path("psvis/enforcement/rules.py").read_text("utf-8")
    named = set(re.findall(r'"((?:art23|order|recheck|decide|close)_[a-z_0-9]+)"', rules_py))
    assert "decide_unit_cap" in named
    assert not sorted(r for r in named if f"enforcement.rule.{r}" not in CATALOG)


def _sign_in(client: TestClient, username: str) -> str:
    signed_in(client, username)
    return csrf_field(client.get("/enforcement").text)


def test_pages_refusals_and_csrf(client: TestClient, registry: Registry) -> None:
    world = signage_world(registry, officer="officer", chief="chief")
    csrf = _sign_in(client, "officer")
    finding = client.get(f"/findings/{world.finding.id}").text
    assert f'href="/enforcement/new?finding={world.finding.id}"' in finding
    form = client.get(f"/enforcement/new?finding={world.finding.id}").text
    assert 'value="art25_1" selected' in form
    created = client.post(
        "/enforcement/new",
        data={
            "csrf_token": csrf,
            "finding_id": str(world.finding.id),
            "basis": "art25_1",
            "facts": "<b>未设置明显标识</b>",
        },
        follow_redirects=False,
    )
    assert created.status_code == 303, created.text
    case_url = created.headers["location"]
    page = client.get(case_url).text
    assert "&lt;b&gt;未设置明显标识&lt;/b&gt;" in page  # escaped
    assert 'data-step="order"' in page
    english = client.get(case_url, params={"lang": "en"}).text
    assert "Correction order" in english
    client.get(case_url, params={"lang": "zh-CN"})
    # A deadline of today is refused, naming the article, and the form keeps the text.
    refused = client.post(
        f"{case_url}/order",
        data={"csrf_token": csrf, "deadline": "2016-10-01", "requirement": "设置标识"},
    )
    assert refused.status_code == 422
    assert "改正期限须晚于今日（第二十五条第（一）项）" in refused.text
    assert "设置标识</textarea>" in refused.text
    for path in ("order", "recheck", "decision", "close"):
        forged = client.post(f"{case_url}/{path}", data={"csrf_token": "forged"})
        assert forged.status_code == 403, path
    assert client.post("/enforcement/new", data={"csrf_token": ""}).status_code == 403
    # A malformed amount is a page, not a 500.
    bad = client.post(
        f"{case_url}/decision", data={"csrf_token": csrf, "fine_yuan": "1e9", "reasons": "x"}
    )
    assert bad.status_code in (403, 422)
