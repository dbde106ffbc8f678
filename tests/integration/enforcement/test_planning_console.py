"""The planning page (Art. 7, 8): a point added through the tablet form is drawn on the map
and listed with its duplicate flag; a malformed form is refused keeping what was typed;
CSRF; officers read but get no form; every word in the catalog."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from psvis.auth.policy import Role
from psvis.console.i18n import CATALOG
from psvis.registry.enums import CameraRole, SiteCategory
from tests.integration.console.helpers import csrf_field, signed_in
from tests.support.factories import Registry


def test_every_planning_word_is_in_the_catalog() -> None:
    template = Path("psvis/console/templates/enforcement/planning.html").read_text("utf-8")
    used = set(re.findall(r"t\('((?:planning|inspection|common)\.[a-z_.]+)'\)", template))
    assert len(used) > 15
    assert not sorted(k for k in used if k not in CATALOG)
    assert all(f"camrole.{r.value}" in CATALOG for r in CameraRole)


def test_plan_a_point_on_the_page(client: TestClient, registry: Registry) -> None:
    unit = registry.unit(jurisdiction="360102")
    site = registry.site(unit=unit, category=SiteCategory.ART8_5)
    system = registry.system(site=site, unit=unit)
    camera = registry.camera(system=system, role=CameraRole.ENTRANCE, azimuth_deg=90.0)
    registry.user(role=Role.DISTRICT_ADMIN, jurisdiction="360102", username="padmin")
    registry.user(role=Role.OFFICER, jurisdiction="360102", username="pofficer")
    registry.session.commit()
    signed_in(client, "padmin")
    page = client.get("/enforcement/planning")
    assert page.status_code == 200
    assert "@media (max-width: 700px)" in page.text
    gap = re.search(rf'data-site="{site.id}">.*?</tr>', page.text, re.S)
    assert gap is not None
    assert "通道" in gap.group(0)  # the site lacks a passage and a key-spot camera
    fields = {
        "csrf_token": csrf_field(page.text),
        "site_id": str(site.id),
        "name": "<b>东门</b>",
        "role": "entrance",
        "lat": "28.68",
        "lon": "115.9",
        "azimuth_deg": "90",
        "fov_deg": "90",
        "range_m": "30",
    }
    bad = client.post("/enforcement/planning", data=fields | {"azimuth_deg": "400"})
    assert bad.status_code == 422
    assert "azimuth_deg" in bad.text
    assert 'value="&lt;b&gt;东门&lt;/b&gt;"' in bad.text  # kept, escaped
    assert (
        client.post("/enforcement/planning", data=fields | {"csrf_token": "x"}).status_code == 403
    )
    done = client.post("/enforcement/planning", data=fields, follow_redirects=False)
    assert done.status_code == 303
    listed = client.get("/enforcement/planning").text
    row = re.search(
        r'<tr id="point-(\d+)" data-point="\d+" class="duplicate">.*?</tr>', listed, re.S
    )
    assert row is not None
    assert str(camera.id) in row.group(0)
    assert "&lt;b&gt;东门&lt;/b&gt;" in listed
    assert listed.count('class="wedge duplicate"') == 1
    assert listed.count('class="wedge camera"') == 1

    client.cookies.clear()
    signed_in(client, "pofficer")
    read_only = client.get("/enforcement/planning")
    assert read_only.status_code == 200
    assert 'id="planning-form"' not in read_only.text
