"""The enforcement API on both backends: the whole procedure over HTTP, the law's
refusals as 422 ``refused_by_regulation`` naming the article, malformed and hostile
input (never a 5xx), the documents as PDF, and who reaches which case (role ×
jurisdiction, computed from the policy table)."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from psvis.auth.policy import POLICY, Action, Reach, Resource, Role
from psvis.core.timeutil import today_china
from psvis.enforcement.models import CorrectionOrder
from tests.support.enforcement import World, acts, pdf_text, signage_world
from tests.support.factories import Registry
from tests.support.http import bearer

API = "/api/v1/enforcement"


def _world(registry: Registry) -> World:
    return signage_world(registry, officer="officer", chief="chief")


def _open(client: TestClient, headers: dict[str, str], world: World) -> dict[str, Any]:
    response = client.post(
        f"{API}/cases",
        headers=headers,
        json={"finding_id": world.finding.id, "facts": "未设置明显标识"},
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def _refusal(response: Any, rule: str, article: str) -> None:
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "refused_by_regulation"
    assert (error["details"]["rule"], error["details"]["article"]) == (rule, article)


def test_procedure_over_http(client: TestClient, registry: Registry, db: Session) -> None:
    world = _world(registry)
    officer, chief = bearer(client, "officer"), bearer(client, "chief")
    case = _open(client, officer, world)
    assert (case["basis"], case["article"], case["procedure"]) == (
        "art25_1",
        "Art. 25(1)",
        "order_first",
    )
    steps = {s["step"]: s for s in case["next_steps"]}
    assert steps["order"]["allowed"]
    assert not steps["decide"]["allowed"]
    assert steps["decide"]["rule"] == "decide_no_order"
    url = f"{API}/cases/{case['id']}"
    today = today_china()

    _refusal(
        client.post(f"{url}/decision", headers=chief, json={"fine_yuan": 100, "reasons": "x"}),
        "decide_no_order",
        "Art. 25(1)",
    )
    _refusal(
        client.post(f"{url}/order", headers=officer, json={"requirement": "设置标识"}),
        "order_deadline_required",
        "Art. 25(1)",
    )
    response = client.post(
        f"{url}/order",
        headers=officer,
        json={"deadline": (today + dt.timedelta(days=10)).isoformat(), "requirement": "设置标识"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["state"] == "ordered"
    _refusal(
        client.post(f"{url}/decision", headers=chief, json={"fine_yuan": 100, "reasons": "x"}),
        "decide_before_deadline",
        "Art. 25(1)",
    )
    db.execute(
        update(CorrectionOrder).values(
            issued_on=today - dt.timedelta(days=11), deadline=today - dt.timedelta(days=1)
        )
    )
    db.commit()
    response = client.post(f"{url}/rechecks", headers=officer, json={"corrected": False})
    assert response.status_code == 200, response.text
    assert response.json()["state"] == "not_corrected"
    # Only the chief decides (policy), and within the cap (the law).
    assert (
        client.post(
            f"{url}/decision", headers=officer, json={"fine_yuan": 100, "reasons": "x"}
        ).status_code
        == 403
    )
    _refusal(
        client.post(f"{url}/decision", headers=chief, json={"fine_yuan": 1001, "reasons": "x"}),
        "decide_unit_cap",
        "Art. 25(1)",
    )
    response = client.post(
        f"{url}/decision", headers=chief, json={"fine_yuan": 999, "reasons": "逾期未改正"}
    )
    assert response.status_code == 200, response.text
    detail = response.json()
    assert detail["state"] == "decided"
    assert detail["decision"]["fine_yuan"] == 999
    assert [d["kind"] for d in detail["documents"]] == ["correction_order", "penalty_decision"]
    for document in detail["documents"]:
        fetched = client.get(f"{API}/documents/{document['id']}", headers=officer)
        assert fetched.status_code == 200
        assert fetched.headers["content-type"] == "application/pdf"
        assert hashlib.sha256(fetched.content).hexdigest() == document["sha256"]
        assert fetched.headers["x-content-sha256"] == document["sha256"]
        assert document["number"] in pdf_text(fetched.content)
    download = client.get(
        f"{API}/documents/{detail['documents'][1]['id']}", headers=officer, params={"download": 1}
    )
    assert download.headers["content-disposition"].startswith("attachment;")
    closed = client.post(f"{url}/close", headers=officer, json={"reason": "罚款已缴纳"})
    assert closed.status_code == 200
    assert closed.json()["state"] == "closed"
    assert [e["act"] for e in acts(db)][-1] == "case.closed"
    provisions = client.get(f"{API}/provisions", headers=officer).json()
    assert {p["basis"]: p["unit_cap_yuan"] for p in provisions}["art24"] == 1000


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("decision", {"fine_yuan": "abc", "reasons": "x"}),
        ("decision", {"fine_yuan": 1.5, "reasons": "x"}),
        ("decision", {"fine_yuan": -1, "reasons": "x"}),
        ("decision", {"fine_yuan": 2**40, "reasons": "x"}),
        ("decision", {"fine_yuan": 10, "reasons": "x", "extra": 1}),
        ("decision", {"fine_yuan": 10, "reasons": ""}),
        ("decision", {"fine_yuan": 10, "reasons": "\x00"}),
        ("order", {"deadline": "2026-02-30", "requirement": "x"}),
        ("order", {"deadline": "9999-01-01", "requirement": "x"}),
        ("order", {"deadline": "2026-03-01T00:00:00", "requirement": "x" * 1001}),
        ("rechecks", {"corrected": "maybe"}),
        ("close", {"reason": ""}),
    ],
)
def test_malformed_bodies_are_422_not_5xx(
    client: TestClient, registry: Registry, path: str, body: dict[str, Any]
) -> None:
    world = _world(registry)
    case = _open(client, bearer(client, "officer"), world)
    response = client.post(
        f"{API}/cases/{case['id']}/{path}", headers=bearer(client, "chief"), json=body
    )
    assert response.status_code == 422, response.text
    assert "refused_by_regulation" not in response.text


def test_hostile_text_is_stored_as_text_and_printed_safely(
    client: TestClient, registry: Registry
) -> None:
    world = _world(registry)
    officer = bearer(client, "officer")
    hostile = "<script>alert(1)</script> $facts {nb} \u202e\u0007 😀 ${party}"
    response = client.post(
        f"{API}/cases",
        headers=officer,
        json={"finding_id": world.finding.id, "facts": hostile, "party_name": "甲'; DROP TABLE"},
    )
    assert response.status_code == 201, response.text
    case = response.json()
    assert case["facts"] == hostile.strip()
    deadline = (today_china() + dt.timedelta(days=3)).isoformat()
    ordered = client.post(
        f"{API}/cases/{case['id']}/order",
        headers=officer,
        json={"deadline": deadline, "requirement": "$requirement ${x}"},
    )
    assert ordered.status_code == 200, ordered.text
    document = ordered.json()["documents"][0]
    text = pdf_text(client.get(f"{API}/documents/{document['id']}", headers=officer).content)
    # Placeholders typed into the facts stay literal; the unknown glyph becomes □.
    assert "$facts{nb}" in text
    assert "${party}" in text
    assert "$requirement${x}" in text
    assert "甲';DROPTABLE" in text
    assert "□" in text
    page = client.get(f"/enforcement/cases/{case['id']}", headers=officer)
    assert page.status_code in (200, 303)  # the console signs in by cookie, not bearer


def test_unknown_and_out_of_range_ids(client: TestClient, registry: Registry) -> None:
    _world(registry)
    officer = bearer(client, "officer")
    assert client.get(f"{API}/cases/999999", headers=officer).status_code == 404
    assert client.get(f"{API}/cases/0", headers=officer).status_code == 422
    assert client.get(f"{API}/cases/{2**40}", headers=officer).status_code == 422
    assert client.get(f"{API}/documents/999999", headers=officer).status_code == 404
    bad = client.post(f"{API}/cases", headers=officer, json={"finding_id": 2**40, "facts": "x"})
    assert bad.status_code == 422
    missing = client.post(f"{API}/cases", headers=officer, json={"finding_id": 99999, "facts": "x"})
    assert missing.status_code == 404
    nothing = client.post(f"{API}/cases", headers=officer, json={"facts": "x"})
    assert nothing.status_code == 422
    assert client.get(f"{API}/cases", headers=officer, params={"state": "nope"}).status_code == 422


# --- who reaches which case -----------------------------------------------------------------

SUBJECTS: list[tuple[str, Role, str | None, bool]] = [
    # label, role, jurisdiction, member of the home unit
    ("city_admin", Role.CITY_ADMIN, "360100", False),
    ("d_admin", Role.DISTRICT_ADMIN, "360102", False),
    ("h_officer", Role.OFFICER, "360102", False),
    ("a_officer", Role.OFFICER, "360103", False),
    ("h_chief", Role.CHIEF, "360102", False),
    ("a_chief", Role.CHIEF, "360103", False),
    ("auditor", Role.AUDITOR, "360102", False),
    ("u_admin", Role.UNIT_ADMIN, None, True),
    ("o_admin", Role.UNIT_ADMIN, None, False),
    ("u_operator", Role.UNIT_OPERATOR, None, True),
    ("maintainer", Role.MAINTAINER, None, True),
    ("other_dept", Role.OTHER_DEPT, "360102", False),
]
COVERS = {"360100": {"360100", "360102", "360103"}, "360102": {"360102"}, "360103": {"360103"}}


def _expected(role: Role, jurisdiction: str | None, member: bool, action: Action) -> str:
    """From the policy table alone: 403 without the action, 404 outside read reach, 403
    outside the action's reach, else through."""

    def reaches(reach: Reach | None) -> bool:
        if reach is Reach.JURISDICTION:
            return jurisdiction is not None and "360102" in COVERS[jurisdiction]
        return reach is Reach.OWN_UNITS and member

    entry = POLICY.get((Resource.ENFORCEMENT_CASE, action), {})
    if role not in entry:
        return "403"
    if not reaches(POLICY[(Resource.ENFORCEMENT_CASE, Action.READ)].get(role)):
        return "404"
    return "ok" if reaches(entry[role]) else "403"


def test_roles_and_jurisdictions(client: TestClient, registry: Registry) -> None:
    world = _world(registry)
    other_unit = registry.unit(jurisdiction="360102")
    for label, role, jurisdiction, member in SUBJECTS:
        units = (world.unit.id,) if member else ((other_unit.id,) if role.is_unit_staff else ())
        registry.user(
            role=role,
            jurisdiction=None if role.is_unit_staff else jurisdiction,
            units=units,
            username=label,
        )
    registry.session.commit()
    case = _open(client, bearer(client, "officer"), world)
    url = f"{API}/cases/{case['id']}"
    mismatches = []
    for label, role, jurisdiction, member in SUBJECTS:
        headers = bearer(client, label)
        calls: dict[Action, tuple[str, dict[str, Any] | None]] = {
            Action.READ: (url, None),
            # A re-check of a case never ordered: through the permission, refused (422).
            Action.UPDATE: (f"{url}/rechecks", {"corrected": True}),
            # A decision on an open Art. 25 case: through the permission, refused (422).
            Action.APPROVE: (f"{url}/decision", {"fine_yuan": 1, "reasons": "x"}),
        }
        for action, (target, body) in calls.items():
            response = (
                client.get(target, headers=headers)
                if body is None
                else client.post(target, headers=headers, json=body)
            )
            status = response.status_code
            got = str(status) if status in (403, 404) else "ok"
            want = _expected(role, jurisdiction, member, action)
            if got != want:
                mismatches.append(f"{label} {action.value}: want {want}, got {status}")
        listed = client.get(f"{API}/cases", headers=headers)
        if _expected(role, jurisdiction, member, Action.READ) == "403":
            assert listed.status_code == 403, label
        else:
            ids = {c["id"] for c in listed.json()["items"]}
            assert (case["id"] in ids) == (
                _expected(role, jurisdiction, member, Action.READ) == "ok"
            ), label
    assert not mismatches, "\n".join(mismatches)
