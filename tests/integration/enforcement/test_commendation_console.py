"""The commendation page (Art. 22): the chief commends a unit for its report (linked
back to it), another unit is refused with the article and the form keeps what was typed;
the unit's admin reads its own commendations but gets no form; every word in the
catalog."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from psvis.auth import service as auth_service
from psvis.auth.policy import Role
from psvis.console.i18n import CATALOG
from psvis.core.timeutil import utcnow
from psvis.enforcement import duties
from psvis.enforcement.commendation_rules import SourceKind
from psvis.enforcement.duty_rules import ReportKind
from psvis.enforcement.duty_schemas import ReportCreate
from tests.integration.console.helpers import csrf_field, signed_in
from tests.support.factories import Registry


def test_every_commendation_word_is_in_the_catalog() -> None:
    template = Path("psvis/console/templates/enforcement/commendations.html").read_text("utf-8")
    used = set(re.findall(r"t\('((?:commend|duty)\.[a-z_.]+)'\)", template))
    assert len(used) > 8
    assert not sorted(k for k in used if k not in CATALOG)
    assert all(f"commend.source.{k.value}" in CATALOG for k in SourceKind)
    for rule in ("commendation_unit_not_source", "commendation_in_future"):
        assert f"enforcement.rule.{rule}" in CATALOG


def test_commend_on_the_page(client: TestClient, registry: Registry, db: Session) -> None:
    unit, _, _, camera = registry.covered_site(jurisdiction="360102")
    other, _, _, _ = registry.covered_site(jurisdiction="360102")
    operator = registry.user(role=Role.UNIT_OPERATOR, units=(unit.id,))
    registry.user(role=Role.CHIEF, jurisdiction="360102", username="chief")
    registry.user(role=Role.UNIT_ADMIN, units=(unit.id,), username="uadmin")
    db.commit()
    now = utcnow()
    report = duties.report(
        db,
        principal=auth_service.principal_for(db, user=operator),
        unit_id=unit.id,
        data=ReportCreate(
            kind=ReportKind.CRIME,
            summary="线索",
            camera_id=camera.id,
            range_start=now - dt.timedelta(hours=1),
            range_end=now - dt.timedelta(minutes=5),
        ),
    )
    db.commit()
    signed_in(client, "chief")
    page = client.get("/enforcement/commendations")
    assert page.status_code == 200
    form = {
        "csrf_token": csrf_field(page.text),
        "unit_id": str(other.id),
        "source_kind": "suspicious_report",
        "source_id": str(report.id),
        "title": "<i>及时报告</i>",
        "reason": "协助抓获嫌疑人",
    }
    wrong = client.post("/enforcement/commendations", data=form)
    assert wrong.status_code == 422
    assert "第二十二条" in wrong.text
    assert 'value="&lt;i&gt;及时报告&lt;/i&gt;"' in wrong.text
    done = client.post(
        "/enforcement/commendations", data=form | {"unit_id": str(unit.id)}, follow_redirects=False
    )
    assert done.status_code == 303
    listed = client.get("/enforcement/commendations").text
    assert f'href="/enforcement/duties#report-{report.id}"' in listed
    client.cookies.clear()
    signed_in(client, "uadmin")
    own = client.get("/enforcement/commendations").text
    assert "&lt;i&gt;及时报告&lt;/i&gt;" in own
    assert 'id="commend-form"' not in own
