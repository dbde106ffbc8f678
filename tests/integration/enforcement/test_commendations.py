"""Commendations (Art. 22) on both backends: linked to a suspicious-information report the
unit made, to a case it was party to, or to a retrieval request whose camera is its own;
another unit refused with the article; one per unit and source; scope; the ledger; the
API with hostile input."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from psvis.auth import service as auth_service
from psvis.auth.policy import Role
from psvis.core.errors import Conflict, Forbidden, NotFound, Refused
from psvis.core.timeutil import utcnow
from psvis.custody.enums import DepartmentKind, RequestState
from psvis.custody.models import RequestScope, RetrievalRequest
from psvis.enforcement import commendations, duties
from psvis.enforcement.commendation_rules import SourceKind
from psvis.enforcement.commendation_schemas import CommendationCreate
from psvis.enforcement.duty_rules import ReportKind
from psvis.enforcement.duty_schemas import ReportCreate
from tests.support.enforcement import acts
from tests.support.factories import Registry
from tests.support.http import bearer

API = "/api/v1/enforcement/commendations"


def test_sources_refusals_scope_and_ledger(registry: Registry, db: Session) -> None:
    unit, _, _, camera = registry.covered_site(jurisdiction="360102")
    other, _, _, _ = registry.covered_site(jurisdiction="360102")
    operator = registry.user(role=Role.UNIT_OPERATOR, units=(unit.id,))
    chief = registry.user(role=Role.CHIEF, jurisdiction="360102")
    officer = registry.user(role=Role.OFFICER, jurisdiction="360102")
    away_chief = registry.user(role=Role.CHIEF, jurisdiction="360103")
    unit_admin = registry.user(role=Role.UNIT_ADMIN, units=(unit.id,))
    db.commit()
    p = {
        u.id: auth_service.principal_for(db, user=u)
        for u in (operator, chief, officer, away_chief, unit_admin)
    }
    now = utcnow()
    report = duties.report(
        db,
        principal=p[operator.id],
        unit_id=unit.id,
        data=ReportCreate(
            kind=ReportKind.CRIME,
            summary="发现可疑人员",
            camera_id=camera.id,
            range_start=now - dt.timedelta(hours=2),
            range_end=now - dt.timedelta(hours=1),
        ),
    )
    request = RetrievalRequest(
        number="R-9",
        bureau_code="360102",
        year=2026,
        serial=9,
        requester_id=officer.id,
        department_kind=DepartmentKind.POLICE,
        department_name="东湖分局",
        case_number="A9",
        purpose="查案",
        actions=["view"],
        valid_from=now,
        valid_until=now + dt.timedelta(days=1),
        state=RequestState.REQUESTED,
    )
    db.add(request)
    db.flush()
    db.add(
        RequestScope(
            request_id=request.id,
            camera_id=camera.id,
            jurisdiction_code="360102",
            start_at=now - dt.timedelta(hours=3),
            end_at=now - dt.timedelta(hours=2),
        )
    )
    db.commit()

    def data(kind: SourceKind, source: int, unit_id: int = unit.id) -> CommendationCreate:
        return CommendationCreate(
            unit_id=unit_id,
            source_kind=kind,
            source_id=source,
            title="提供关键线索",
            reason="协助破案",
        )

    by_report = commendations.commend(
        db, principal=p[chief.id], data=data(SourceKind.SUSPICIOUS_REPORT, report.id)
    )
    by_request = commendations.commend(
        db, principal=p[chief.id], data=data(SourceKind.CUSTODY_REQUEST, request.id)
    )
    db.commit()
    assert (by_report.source_kind, by_report.source_id, by_report.jurisdiction_code) == (
        SourceKind.SUSPICIOUS_REPORT,
        report.id,
        "360102",
    )
    assert by_request.awarded_on == by_report.awarded_on
    with pytest.raises(Conflict):
        commendations.commend(
            db, principal=p[chief.id], data=data(SourceKind.SUSPICIOUS_REPORT, report.id)
        )
    with pytest.raises(Refused) as not_theirs:
        commendations.commend(
            db, principal=p[chief.id], data=data(SourceKind.CUSTODY_REQUEST, request.id, other.id)
        )
    assert (not_theirs.value.rule, not_theirs.value.article) == (
        "commendation_unit_not_source",
        "Art. 22",
    )
    with pytest.raises(NotFound):
        commendations.commend(db, principal=p[chief.id], data=data(SourceKind.CASE, 999_999))
    with pytest.raises(NotFound):  # another district's chief does not see the unit
        commendations.commend(
            db, principal=p[away_chief.id], data=data(SourceKind.SUSPICIOUS_REPORT, report.id)
        )
    with pytest.raises(Forbidden):  # officers read, the bureau's chief and admins commend
        commendations.commend(
            db, principal=p[officer.id], data=data(SourceKind.SUSPICIOUS_REPORT, report.id)
        )
    own, total = commendations.list_commendations(db, principal=p[unit_admin.id])
    assert (total, {c.id for c in own}) == (2, {by_report.id, by_request.id})
    assert commendations.list_commendations(db, principal=p[away_chief.id])[1] == 0
    logged = [a for a in acts(db) if a["act"] == "commendation"]
    assert [(a["source"], a["source_id"]) for a in logged] == [
        ("suspicious_report", report.id),
        ("custody_request", request.id),
    ]


def test_api_and_hostile_input(registry: Registry, db: Session, client: TestClient) -> None:
    unit, _, _, camera = registry.covered_site(jurisdiction="360102")
    registry.user(role=Role.CHIEF, jurisdiction="360102", username="c_chief")
    registry.user(role=Role.UNIT_OPERATOR, units=(unit.id,), username="c_operator")
    db.commit()
    chief, operator = bearer(client, "c_chief"), bearer(client, "c_operator")
    now = utcnow()
    filed = client.post(
        "/api/v1/enforcement/duties/reports",
        params={"unit_id": unit.id},
        json={
            "kind": "crime",
            "summary": "线索",
            "camera_id": camera.id,
            "range_start": (now - dt.timedelta(hours=1)).isoformat(),
            "range_end": (now - dt.timedelta(minutes=1)).isoformat(),
        },
        headers=operator,
    )
    assert filed.status_code == 201, filed.text
    body = {
        "unit_id": unit.id,
        "source_kind": "suspicious_report",
        "source_id": filed.json()["id"],
        "title": "表彰",
        "reason": "及时报告",
    }
    created = client.post(API, json=body, headers=chief)
    assert created.status_code == 201, created.text
    assert client.get(f"{API}/{created.json()['id']}", headers=chief).status_code == 200
    assert client.post(API, json=body, headers=chief).status_code == 409
    assert client.post(API, json=body, headers=operator).status_code == 403
    for change in (
        {"source_kind": "tip"},
        {"source_id": 0},
        {"unit_id": 2**31},
        {"title": ""},
        {"reason": "x\x00"},
        {"awarded_on": "2100-12-31"},
        {"extra": True},
    ):
        response = client.post(API, json=body | change, headers=chief)
        assert response.status_code == 422, (change, response.text)
    assert client.get(API, params={"source_kind": "x"}, headers=chief).status_code == 422
    assert client.get(f"{API}/0", headers=chief).status_code == 422
    assert client.get(API).status_code == 401
