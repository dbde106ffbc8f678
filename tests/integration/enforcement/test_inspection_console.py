"""The inspection pages (Art. 21): the checklist form of a site, an incomplete record
refused with its article and what was chosen kept, a photo uploaded through the form,
the follow-up case opened from a failed item, escaping, CSRF, both languages, and every
checklist item and refusal with its sentence."""

from __future__ import annotations

import io
import re
from pathlib import Path

from fastapi.testclient import TestClient
from PIL import Image

from psvis.auth.policy import Role
from psvis.console.i18n import CATALOG
from psvis.enforcement import checklists
from psvis.enforcement.checklists import ItemResult
from psvis.registry.enums import SiteCategory
from tests.integration.console.helpers import csrf_field, signed_in
from tests.support.factories import Registry


def test_every_item_result_and_refusal_has_its_sentence() -> None:
    for key in checklists.ITEMS:
        assert f"inspection.item.{key}" in CATALOG, key
    for result in ItemResult:
        assert f"inspection.result.{result.value}" in CATALOG
    source = Path("psvis/enforcement/checklists.py").read_text("utf-8")
    named = set(re.findall(r'"((?:inspection|followup)_[a-z_]+)"', source))
    assert {"inspection_incomplete", "followup_mixed_basis"} <= named
    assert not sorted(
        r
        for r in named - {"inspection_ok", "followup_ok"}
        if f"enforcement.rule.{r}" not in CATALOG
    )


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (10, 200, 10)).save(out, "PNG")
    return out.getvalue()


def test_tablet_walkthrough(client: TestClient, registry: Registry) -> None:
    unit = registry.unit(jurisdiction="360102", name="某学校")
    site = registry.site(unit=unit, category=SiteCategory.ART8_5)
    registry.user(role=Role.OFFICER, jurisdiction="360102", username="officer")
    registry.session.commit()
    signed_in(client, "officer")
    listing = client.get("/enforcement/inspections")
    assert listing.status_code == 200
    assert 'id="inspection-new"' in listing.text
    form = client.get("/enforcement/inspections/new", params={"site": site.id}).text
    csrf = csrf_field(form)
    keys = checklists.CHECKLISTS[SiteCategory.ART8_5]
    assert [k for k in keys if f'data-item="{k}"' in form] == list(keys)
    assert "@media (max-width: 700px)" in form  # one column on a narrow tablet

    fields = {"csrf_token": csrf, "site_id": str(site.id), "notes": "<script>x</script>"}
    partial = {**fields, "r_signage": "fail", "n_signage": ""}
    refused = client.post("/enforcement/inspections/new", data=partial)
    assert refused.status_code == 422
    assert "检查表中每一项都须填写结果（第二十一条）" in refused.text
    assert 'value="fail" id="r-signage-fail" checked' in refused.text
    whole = {**fields, **{f"r_{k}": "pass" for k in keys}, "r_entrance": "fail"}
    no_note = client.post("/enforcement/inspections/new", data=whole)
    assert "未通过或不适用的项目须填写说明" in no_note.text
    created = client.post(
        "/enforcement/inspections/new",
        data={**whole, "n_entrance": "东门无摄像机"},
        follow_redirects=False,
    )
    assert created.status_code == 303, created.text
    url = created.headers["location"]
    page = client.get(url).text
    assert "&lt;script&gt;x&lt;/script&gt;" in page
    assert 'class="result-fail">未通过' in page
    english = client.get(url, params={"lang": "en"}).text
    assert "Main entrances covered" in english
    client.get(url, params={"lang": "zh-CN"})

    data = _photo()
    uploaded = client.post(
        f"{url}/photos",
        data={"csrf_token": csrf, "item": "entrance"},
        files={"photo": ("x.exe", data, "application/octet-stream")},
        follow_redirects=False,
    )
    assert uploaded.status_code == 303, uploaded.text
    page = client.get(url).text
    photo_id = re.search(r'data-photo="(\d+)"', page)
    assert photo_id is not None
    assert client.get(f"/enforcement/inspection-photos/{photo_id.group(1)}").content == data
    not_image = client.post(
        f"{url}/photos",
        data={"csrf_token": csrf, "item": ""},
        files={"photo": ("a.jpg", b"%PDF-1.4 nope", "image/jpeg")},
    )
    assert not_image.status_code == 422
    forged = client.post(
        f"{url}/photos",
        data={"csrf_token": "forged"},
        files={"photo": ("a.png", data, "image/png")},
    )
    assert forged.status_code == 403

    assert 'id="fu-entrance"' in page
    followed = client.post(
        f"{url}/cases",
        data={"csrf_token": csrf, "items": "entrance", "facts": "学校东门未安装摄像机"},
        follow_redirects=False,
    )
    assert followed.status_code == 303, followed.text
    case_page = client.get(followed.headers["location"]).text
    assert "学校东门未安装摄像机" in case_page
    page = client.get(url).text
    assert 'id="fu-entrance"' not in page  # followed up: no second case on it
    assert client.post(f"{url}/cases", data={"csrf_token": ""}).status_code == 403
    assert client.post("/enforcement/inspections/new", data={"csrf_token": "x"}).status_code == 403
