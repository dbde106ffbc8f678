"""The unit duty page (Art. 17): the unit's admin uploads its rules (typed by content,
CSRF first), records trainings (an expired one marked), a duty operator reports with
China-time inputs, the police acknowledge and get the retrieval link; refusals shown
with their article; every word and refusal in the catalog."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from fastapi.testclient import TestClient

from psvis.auth.policy import Role
from psvis.console.i18n import CATALOG
from psvis.core.timeutil import CHINA_TZ, today_china, utcnow
from psvis.enforcement.duty_rules import DocumentKind
from tests.integration.console.helpers import csrf_field, signed_in
from tests.support.factories import Registry

PDF = b"%PDF-1.4\n%%EOF\n"


def test_every_duty_word_and_refusal_is_in_the_catalog() -> None:
    template = Path("psvis/console/templates/enforcement/duties.html").read_text("utf-8")
    used = set(re.findall(r"t\('(duty\.[a-z_.]+)'\)", template))
    assert len(used) > 25
    assert not sorted(k for k in used if k not in CATALOG)
    source = Path("psvis/enforcement/duty_rules.py").read_text("utf-8")
    rules = (
        set(re.findall(r'"((?:duty|training|report)_[a-z_]+)"', source))
        - {
            "duty_document_ok",
            "training_ok",
            "report_ok",
            "training_expired",
        }
        - {k.value for k in DocumentKind}
    )
    assert len(rules) >= 10
    assert not sorted(r for r in rules if f"enforcement.rule.{r}" not in CATALOG)


def test_unit_files_and_police_acknowledge(client: TestClient, registry: Registry) -> None:
    unit, _, _, camera = registry.covered_site(jurisdiction="360102")
    registry.user(role=Role.UNIT_ADMIN, units=(unit.id,), username="uadmin")
    registry.user(role=Role.OFFICER, jurisdiction="360102", username="officer")
    registry.session.commit()
    signed_in(client, "uadmin")
    page = client.get("/enforcement/duties")
    assert page.status_code == 200
    assert "@media (max-width: 700px)" in page.text
    csrf = csrf_field(page.text)
    form = {
        "csrf_token": csrf,
        "unit_id": str(unit.id),
        "kind": "duty_rules",
        "title": "值班监看制度",
    }
    uploaded = client.post(
        "/enforcement/duties/documents",
        data=form,
        files={"file": ("rules.pdf", PDF, "application/pdf")},
        follow_redirects=False,
    )
    assert uploaded.status_code == 303, uploaded.text
    wrong = client.post(
        "/enforcement/duties/documents",
        data=form,
        files={"file": ("rules.pdf", b"<html>not a pdf</html>", "application/pdf")},
    )
    assert wrong.status_code == 422
    assert "PDF, JPEG or PNG" in wrong.text
    today = today_china()
    training = {
        "csrf_token": csrf,
        "unit_id": str(unit.id),
        "person_name": "张三",
        "topic": "confidentiality",
        "trained_on": (today - dt.timedelta(days=400)).isoformat(),
        "expires_on": (today - dt.timedelta(days=1)).isoformat(),
    }
    assert (
        client.post(
            "/enforcement/duties/trainings", data=training, follow_redirects=False
        ).status_code
        == 303
    )
    future = client.post(
        "/enforcement/duties/trainings",
        data=training
        | {
            "trained_on": (today + dt.timedelta(days=1)).isoformat(),
            "expires_on": (today + dt.timedelta(days=9)).isoformat(),
        },
    )
    assert future.status_code == 422
    assert "第十七条第（二）项" in future.text
    local = utcnow().astimezone(CHINA_TZ)
    report = {
        "csrf_token": csrf,
        "unit_id": str(unit.id),
        "kind": "crime",
        "camera_id": str(camera.id),
        "range_start": (local - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "range_end": (local - dt.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"),
        "summary": "<script>x</script>门口有人撬车",
    }
    assert (
        client.post("/enforcement/duties/reports", data=report, follow_redirects=False).status_code
        == 303
    )
    too_long = client.post(
        "/enforcement/duties/reports",
        data=report | {"range_start": (local - dt.timedelta(hours=30)).strftime("%Y-%m-%dT%H:%M")},
    )
    assert too_long.status_code == 422
    assert "24" in too_long.text
    listed = client.get("/enforcement/duties").text
    assert 'class="expired"' in listed
    assert "&lt;script&gt;" in listed
    assert "<script>x</script>" not in listed
    assert (
        client.post(
            "/enforcement/duties/trainings", data=training | {"csrf_token": "x"}
        ).status_code
        == 403
    )

    client.cookies.clear()
    signed_in(client, "officer")
    police = client.get("/enforcement/duties").text
    rid = re.search(r'data-report="(\d+)"', police)
    assert rid is not None
    assert 'id="document-form"' not in police
    ack = client.post(
        f"/enforcement/duties/reports/{rid.group(1)}/acknowledge",
        data={"csrf_token": csrf_field(police), "note": "已受理"},
        follow_redirects=False,
    )
    assert ack.status_code == 303
    after = client.get("/enforcement/duties").text
    assert f'href="/custody/new?camera={camera.id}"' in after
    doc = re.search(r'href="/enforcement/duties/documents/(\d+)"', after)
    assert doc is not None
    assert client.get(f"/enforcement/duties/documents/{doc.group(1)}").content == PDF
