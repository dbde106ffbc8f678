"""Unit duties (Art. 17(1)(2)(5)) on both backends: a unit's admin files its rules and a
duty log (typed by content, stored by SHA-256), trainings (an expired one shown
expired), a duty operator reports suspicious information naming the unit's own camera
and a range — another unit's camera refused — and the police acknowledge it once,
pointed to a retrieval request (the footage is not attached); scope; the ledger; the
API with malformed and hostile input."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from psvis.auth import service as auth_service
from psvis.auth.policy import Role
from psvis.core.config import Settings
from psvis.core.errors import Forbidden, InvalidInput, NotFound, Refused
from psvis.core.timeutil import today_china, utcnow
from psvis.enforcement import duties, duty_files
from psvis.enforcement.duty_rules import DocumentKind, ReportKind, TrainingTopic
from psvis.enforcement.duty_schemas import ReportCreate, TrainingCreate
from tests.support.enforcement import acts
from tests.support.factories import Registry
from tests.support.http import bearer

API = "/api/v1/enforcement/duties"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_records_reports_and_acknowledgement(
    registry: Registry, db: Session, settings: Settings
) -> None:
    unit, _, _, camera = registry.covered_site(jurisdiction="360102")
    other, _, _, other_camera = registry.covered_site(jurisdiction="360102")
    admin = registry.user(role=Role.UNIT_ADMIN, units=(unit.id,))
    operator = registry.user(role=Role.UNIT_OPERATOR, units=(unit.id,))
    officer = registry.user(role=Role.OFFICER, jurisdiction="360102")
    away = registry.user(role=Role.OFFICER, jurisdiction="360103")
    db.commit()
    p = {u.id: auth_service.principal_for(db, user=u) for u in (admin, operator, officer, away)}
    today = today_china()

    rules = duties.add_document(
        db,
        principal=p[admin.id],
        unit_id=unit.id,
        kind=DocumentKind.DUTY_RULES,
        title="值班监看制度",
        period_start=None,
        period_end=None,
        data=PDF,
        data_dir=settings.data_dir,
    )
    assert (rules.media_type, rules.sha256) == ("application/pdf", hashlib.sha256(PDF).hexdigest())
    assert duty_files.path_of(settings.data_dir, rules.sha256).read_bytes() == PDF
    with pytest.raises(Refused) as no_period:
        duties.add_document(
            db,
            principal=p[admin.id],
            unit_id=unit.id,
            kind=DocumentKind.DUTY_LOG,
            title="三月值班记录",
            period_start=None,
            period_end=None,
            data=PDF,
            data_dir=settings.data_dir,
        )
    assert (no_period.value.rule, no_period.value.article) == (
        "duty_log_period_required",
        "Art. 17(1)",
    )
    with pytest.raises(InvalidInput, match="PDF, JPEG or PNG"):
        duties.add_document(
            db,
            principal=p[admin.id],
            unit_id=unit.id,
            kind=DocumentKind.OM_RULES,
            title="x",
            period_start=None,
            period_end=None,
            data=b"MZ\x90\x00" + b"\x00" * 64,
            data_dir=settings.data_dir,
        )
    with pytest.raises(Forbidden):  # a duty operator reads the rules, the admin files them
        duties.add_training(
            db,
            principal=p[operator.id],
            data=TrainingCreate(
                unit_id=unit.id,
                person_name="李四",
                topic=TrainingTopic.SKILLS,
                trained_on=today,
                expires_on=today + dt.timedelta(days=365),
            ),
        )
    old = duties.add_training(
        db,
        principal=p[admin.id],
        data=TrainingCreate(
            unit_id=unit.id,
            person_name="张三",
            topic=TrainingTopic.CONFIDENTIALITY,
            trained_on=today - dt.timedelta(days=400),
            expires_on=today - dt.timedelta(days=1),
        ),
    )
    current = duties.add_training(
        db,
        principal=p[admin.id],
        data=TrainingCreate(
            unit_id=unit.id,
            person_name="王五",
            topic=TrainingTopic.SKILLS,
            trained_on=today - dt.timedelta(days=1),
            expires_on=today,  # still counts today
        ),
    )
    db.commit()
    expired, n = duties.list_trainings(db, principal=p[officer.id], expired_on=today)
    assert ([t.id for t in expired], n) == ([old.id], 1)
    everyone, _ = duties.list_trainings(db, principal=p[operator.id])
    assert [t.id for t in everyone] == [old.id, current.id]  # soonest expiry first

    now = utcnow()
    rng = {
        "range_start": now - dt.timedelta(minutes=30),
        "range_end": now - dt.timedelta(minutes=10),
    }
    with pytest.raises(Refused) as not_own:
        duties.report(
            db,
            principal=p[operator.id],
            unit_id=unit.id,
            data=ReportCreate(kind=ReportKind.CRIME, summary="x", camera_id=other_camera.id, **rng),
        )
    assert (not_own.value.rule, not_own.value.article) == ("report_camera_not_own", "Art. 17(5)")
    with pytest.raises(NotFound):  # another unit is not theirs to report for
        duties.report(
            db,
            principal=p[operator.id],
            unit_id=other.id,
            data=ReportCreate(kind=ReportKind.CRIME, summary="x", camera_id=other_camera.id, **rng),
        )
    filed = duties.report(
        db,
        principal=p[operator.id],
        unit_id=unit.id,
        data=ReportCreate(
            kind=ReportKind.CRIME, summary="营业厅门口有人撬车", camera_id=camera.id, **rng
        ),
    )
    db.commit()
    assert duties.retrieval_hint(filed) == f"/custody/new?camera={camera.id}"
    with pytest.raises(Forbidden):  # the unit cannot acknowledge its own report
        duties.acknowledge(db, principal=p[operator.id], report_id=filed.id, note="")
    with pytest.raises(NotFound):  # police of another district do not see it
        duties.get_report(db, principal=p[away.id], report_id=filed.id)
    done = duties.acknowledge(db, principal=p[officer.id], report_id=filed.id, note="已受理")
    db.commit()
    assert (done.acknowledged_by, done.ack_note) == (officer.id, "已受理")
    with pytest.raises(Refused) as twice:
        duties.acknowledge(db, principal=p[officer.id], report_id=filed.id, note="again")
    assert twice.value.rule == "report_already_acknowledged"

    logged = [a for a in acts(db) if str(a["act"]).startswith("duty.")]
    assert [a["act"] for a in logged] == [
        "duty.document",
        "duty.training",
        "duty.training",
        "duty.report",
        "duty.report_acknowledged",
    ]
    assert logged[0]["sha256"] == rules.sha256
    assert (logged[3]["camera"], logged[3]["suspicious_report"]) == (camera.id, filed.id)


def test_api_and_hostile_input(registry: Registry, db: Session, client: TestClient) -> None:
    unit, _, _, camera = registry.covered_site(jurisdiction="360102")
    registry.user(role=Role.UNIT_ADMIN, units=(unit.id,), username="duty_admin")
    registry.user(role=Role.OFFICER, jurisdiction="360102", username="duty_officer")
    registry.user(role=Role.OFFICER, jurisdiction="360103", username="duty_away")
    db.commit()
    admin, officer = bearer(client, "duty_admin"), bearer(client, "duty_officer")
    query = {"unit_id": unit.id, "kind": "duty_rules", "title": "运行维护制度"}
    created = client.post(f"{API}/documents", params=query, content=PDF, headers=admin)
    assert created.status_code == 201, created.text
    doc_id = created.json()["id"]
    got = client.get(f"{API}/documents/{doc_id}/file", headers=officer)
    assert got.status_code == 200
    assert got.content == PDF
    assert (
        client.get(
            f"{API}/documents/{doc_id}/file", headers=bearer(client, "duty_away")
        ).status_code
        == 404
    )
    for params, body, status in (
        (query | {"kind": "memo"}, PDF, 422),
        (query | {"title": ""}, PDF, 422),
        (query | {"unit_id": 0}, PDF, 422),
        (query, b"<html>", 422),
        (query, b"", 422),
        (query | {"kind": "duty_log", "period_start": "2026-03-01"}, PDF, 422),
        (query | {"unit_id": 999_999}, PDF, 404),
    ):
        response = client.post(f"{API}/documents", params=params, content=body, headers=admin)
        assert response.status_code == status, (params, response.text)
    big = client.post(
        f"{API}/documents",
        params=query,
        content=b"%PDF-" + b"0" * 16,
        headers=admin | {"Content-Length": str(duty_files.MAX_FILE_BYTES + 1)},
    )
    assert big.status_code in (411, 413, 400)
    today = today_china().isoformat()
    training = {
        "unit_id": unit.id,
        "person_name": "赵六",
        "topic": "skills",
        "trained_on": today,
        "expires_on": "2100-01-01",
    }
    assert client.post(f"{API}/trainings", json=training, headers=admin).status_code == 201
    assert client.post(f"{API}/trainings", json=training, headers=officer).status_code == 403
    for change in (
        {"expires_on": today},
        {"topic": "x"},
        {"person_name": ""},
        {"extra": 1},
        {"trained_on": "2026-02-30"},
    ):
        assert (
            client.post(f"{API}/trainings", json=training | change, headers=admin).status_code
            == 422
        ), change
    listed = client.get(f"{API}/trainings", params={"expired": "true"}, headers=officer).json()
    assert listed["total"] == 0
    now = utcnow()
    report = {
        "kind": "emergency",
        "summary": "火情",
        "camera_id": camera.id,
        "range_start": (now - dt.timedelta(hours=1)).isoformat(),
        "range_end": (now - dt.timedelta(minutes=1)).isoformat(),
    }
    filed = client.post(f"{API}/reports", params={"unit_id": unit.id}, json=report, headers=admin)
    assert filed.status_code == 201, filed.text
    assert filed.json()["retrieval_request_hint"] == f"/custody/new?camera={camera.id}"
    for change in (
        {"range_start": "2026-03-01T10:00:00"},  # no offset: refused, not guessed
        {"range_end": (now + dt.timedelta(hours=1)).isoformat()},
        {"kind": "rumour"},
        {"summary": "a\x00b"},
    ):
        response = client.post(
            f"{API}/reports", params={"unit_id": unit.id}, json=report | change, headers=admin
        )
        assert response.status_code == 422, (change, response.text)
    rid = filed.json()["id"]
    ack = client.post(f"{API}/reports/{rid}/acknowledge", json={"note": "收到"}, headers=officer)
    assert ack.status_code == 200
    assert ack.json()["ack_note"] == "收到"
    again = client.post(f"{API}/reports/{rid}/acknowledge", json={}, headers=officer)
    assert again.status_code == 422
    assert again.json()["error"]["details"]["article"] == "Art. 17(5)"
    assert (
        client.post(f"{API}/reports/{rid}/acknowledge", json={}, headers=admin).status_code == 403
    )
    assert client.get(f"{API}/reports/0", headers=officer).status_code == 422
    assert client.get(f"{API}/reports").status_code == 401
