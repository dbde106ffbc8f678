"""Inspections (Art. 21) on both backends: a visit recorded against its site's checklist,
photos checked by content and stored by hash, a follow-up case on failed items with the
inspection as evidence, every act on the ledger; the API with malformed and hostile
input (never a 5xx), and who reaches which inspection (role × jurisdiction)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from psvis.auth import service as auth_service
from psvis.auth.models import User
from psvis.auth.policy import POLICY, Action, Resource, Role
from psvis.core.config import Settings
from psvis.core.errors import Conflict, InvalidInput, NotFound, Refused
from psvis.core.timeutil import today_china
from psvis.enforcement import checklists, inspections, photos
from psvis.enforcement.enums import Basis, CaseState
from psvis.enforcement.inspection_models import InspectionItem
from psvis.enforcement.inspection_schemas import FollowupCreate, InspectionCreate, ItemIn
from psvis.enforcement.models import EnforcementCase
from psvis.registry.enums import SiteCategory
from psvis.registry.models import Site, Unit
from tests.support.enforcement import acts, china_noon
from tests.support.factories import Registry
from tests.support.http import bearer

API = "/api/v1/enforcement"
DAY = dt.date(2026, 3, 2)


def jpeg(color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(out, "JPEG")
    return out.getvalue()


@dataclass
class Place:
    unit: Unit
    site: Site
    officer: User
    chief: User
    unit_admin: User
    away_officer: User


def place(registry: Registry, category: SiteCategory = SiteCategory.ART8_4) -> Place:
    unit = registry.unit(jurisdiction="360102", name="某银行东湖支行")
    site = registry.site(unit=unit, category=category)
    result = Place(
        unit=unit,
        site=site,
        officer=registry.user(role=Role.OFFICER, jurisdiction="360102", username="officer"),
        chief=registry.user(role=Role.CHIEF, jurisdiction="360102", username="chief"),
        unit_admin=registry.user(role=Role.UNIT_ADMIN, units=(unit.id,), username="uadmin"),
        away_officer=registry.user(role=Role.OFFICER, jurisdiction="360103", username="away"),
    )
    registry.session.commit()
    return result


def items(category: SiteCategory, **failed: str) -> list[ItemIn]:
    """Every item of the checklist: ``failed`` keys fail with their note, others pass."""
    return [
        ItemIn(key=k, result="fail", note=failed[k])
        if k in failed
        else ItemIn(key=k, result="pass")
        for k in checklists.CHECKLISTS[category]
    ]


def test_record_photo_followup_and_ledger(
    registry: Registry, db: Session, settings: Settings
) -> None:
    p = place(registry)
    officer = auth_service.principal_for(db, user=p.officer)
    inspection = inspections.record_inspection(
        db,
        principal=officer,
        data=InspectionCreate(
            site_id=p.site.id,
            items=items(SiteCategory.ART8_4, signage="入口无标识", training="培训证书过期"),
            notes="例行检查",
        ),
        now=china_noon(DAY),
    )
    db.commit()
    assert (inspection.inspected_on, inspection.failed_count) == (DAY, 2)
    assert (inspection.unit_id, inspection.jurisdiction_code) == (p.unit.id, "360102")
    stored = {i.item: i.result for i in inspections.items_of(db, inspection_id=inspection.id)}
    assert list(stored) == list(checklists.CHECKLISTS[SiteCategory.ART8_4])
    assert stored["signage"] == "fail"

    data = jpeg()
    photo = inspections.add_photo(
        db,
        principal=officer,
        inspection_id=inspection.id,
        data=data,
        item="signage",
        data_dir=settings.data_dir,
    )
    db.commit()
    assert photo.sha256 == hashlib.sha256(data).hexdigest()
    assert photos.path_of(settings.data_dir, photo.sha256).read_bytes() == data
    with pytest.raises(Conflict):
        inspections.add_photo(
            db,
            principal=officer,
            inspection_id=inspection.id,
            data=data,
            item="",
            data_dir=settings.data_dir,
        )
    db.rollback()
    with pytest.raises(InvalidInput, match="JPEG or PNG"):
        inspections.add_photo(
            db,
            principal=officer,
            inspection_id=inspection.id,
            data=b"MZ\x90\x00" + b"\x00" * 100,  # a Windows executable, whatever its name
            item="",
            data_dir=settings.data_dir,
        )
    with pytest.raises(InvalidInput, match="checklist"):
        inspections.add_photo(
            db,
            principal=officer,
            inspection_id=inspection.id,
            data=jpeg((1, 2, 3)),
            item="no_privacy",
            data_dir=settings.data_dir,
        )

    # One case per provision: signage (25(1)) and training (25(4)) do not go together.
    with pytest.raises(Refused) as mixed:
        inspections.open_followup(
            db,
            principal=officer,
            inspection_id=inspection.id,
            data=FollowupCreate(items=["signage", "training"], facts="x"),
        )
    assert (mixed.value.details["rule"], mixed.value.article) == ("followup_mixed_basis", "Art. 21")
    with pytest.raises(Refused) as passed:
        inspections.open_followup(
            db,
            principal=officer,
            inspection_id=inspection.id,
            data=FollowupCreate(items=["retention"], facts="x"),
        )
    assert passed.value.details["rule"] == "followup_item_not_failed"
    case = inspections.open_followup(
        db,
        principal=officer,
        inspection_id=inspection.id,
        data=FollowupCreate(items=["signage"], facts="营业网点入口未设置明显标识"),
        now=china_noon(DAY),
    )
    db.commit()
    assert (case.basis, case.state, case.unit_id) == (Basis.ART25_1, CaseState.OPEN, p.unit.id)
    evidence = case.evidence["inspection"]
    assert evidence["id"] == inspection.id
    assert evidence["items"] == [{"item": "signage", "result": "fail", "note": "入口无标识"}]
    assert [ph["sha256"] for ph in evidence["photos"]] == [photo.sha256]
    with pytest.raises(Conflict):
        inspections.open_followup(
            db,
            principal=officer,
            inspection_id=inspection.id,
            data=FollowupCreate(items=["signage"], facts="again"),
        )
    db.rollback()
    assert [f.case_id for f in inspections.followups_of(db, inspection_id=inspection.id)] == [
        case.id
    ]

    logged = [a for a in acts(db) if str(a["act"]).startswith("inspection.")]
    assert [a["act"] for a in logged] == [
        "inspection.recorded",
        "inspection.photo",
        "inspection.followup",
    ]
    assert logged[0]["inspection"] == inspection.id
    assert logged[0]["results"] == {k: str(v) for k, v in stored.items()}
    assert logged[1]["sha256"] == photo.sha256
    assert (logged[2]["case"], logged[2]["items"]) == (case.id, ["signage"])


def test_refusals_and_reach(registry: Registry, db: Session) -> None:
    p = place(registry)
    officer = auth_service.principal_for(db, user=p.officer)
    with pytest.raises(Refused) as incomplete:
        inspections.record_inspection(
            db,
            principal=officer,
            data=InspectionCreate(site_id=p.site.id, items=items(SiteCategory.ART8_4)[1:]),
        )
    assert incomplete.value.details["rule"] == "inspection_incomplete"
    assert "Art. 21" in incomplete.value.message
    with pytest.raises(Refused) as future:
        inspections.record_inspection(
            db,
            principal=officer,
            data=InspectionCreate(
                site_id=p.site.id,
                inspected_on=today_china() + dt.timedelta(days=1),
                items=items(SiteCategory.ART8_4),
            ),
        )
    assert future.value.details["rule"] == "inspection_in_future"
    assert db.scalar(select(InspectionItem.id)) is None  # nothing half-written
    away = auth_service.principal_for(db, user=p.away_officer)
    with pytest.raises(NotFound):
        inspections.record_inspection(
            db,
            principal=away,
            data=InspectionCreate(site_id=p.site.id, items=items(SiteCategory.ART8_4)),
        )
    made = inspections.record_inspection(
        db,
        principal=officer,
        data=InspectionCreate(site_id=p.site.id, items=items(SiteCategory.ART8_4)),
    )
    db.commit()
    with pytest.raises(NotFound):
        inspections.get_inspection(db, principal=away, inspection_id=made.id)
    admin = auth_service.principal_for(db, user=p.unit_admin)
    assert inspections.get_inspection(db, principal=admin, inspection_id=made.id).id == made.id
    rows, total = inspections.list_inspections(db, principal=away)
    assert (rows, total) == ([], 0)


# --- HTTP -----------------------------------------------------------------------------------


def _body(site_id: int, category: SiteCategory, **failed: str) -> dict[str, Any]:
    return {
        "site_id": site_id,
        "items": [i.model_dump() for i in items(category, **failed)],
        "notes": "夜间检查",
    }


def test_api_walkthrough(client: TestClient, registry: Registry, db: Session) -> None:
    p = place(registry, SiteCategory.ART8_5)
    officer = bearer(client, "officer")
    checklists_read = client.get(f"{API}/checklists", headers=officer)
    assert checklists_read.status_code == 200
    by_category = {c["category"]: c["items"] for c in checklists_read.json()}
    assert [i["key"] for i in by_category["art8_5"]] == list(
        checklists.CHECKLISTS[SiteCategory.ART8_5]
    )
    assert by_category["art9_toilet"][0]["article"] == "Art. 9"

    created = client.post(
        f"{API}/inspections",
        headers=officer,
        json=_body(p.site.id, SiteCategory.ART8_5, entrance="主出入口无摄像机"),
    )
    assert created.status_code == 201, created.text
    inspection = created.json()
    assert inspection["failed_count"] == 1
    url = f"{API}/inspections/{inspection['id']}"

    data = jpeg()
    uploaded = client.post(
        f"{url}/photos",
        params={"item": "entrance"},
        headers={**officer, "Content-Type": "image/png"},  # the claimed type is ignored
        content=data,
    )
    assert uploaded.status_code == 201, uploaded.text
    assert uploaded.json()["media_type"] == "image/jpeg"
    fetched = client.get(f"{API}/inspection-photos/{uploaded.json()['id']}", headers=officer)
    assert fetched.status_code == 200
    assert fetched.content == data
    assert fetched.headers["x-content-sha256"] == hashlib.sha256(data).hexdigest()

    case = client.post(
        f"{url}/cases",
        headers=officer,
        json={"items": ["entrance"], "facts": "学校主出入口未安装视频图像采集设备"},
    )
    assert case.status_code == 201, case.text
    assert (case.json()["basis"], case.json()["article"]) == ("art24", "Art. 24")
    detail = client.get(url, headers=officer).json()
    assert detail["followups"] == [{"case_id": case.json()["id"], "items": ["entrance"]}]
    assert [ph["item"] for ph in detail["photos"]] == ["entrance"]

    # The unit's admin reads what was found at its site, and may not inspect.
    admin = bearer(client, "uadmin")
    assert client.get(url, headers=admin).status_code == 200
    assert (
        client.post(
            f"{API}/inspections", headers=admin, json=_body(p.site.id, SiteCategory.ART8_5)
        ).status_code
        == 403
    )
    away = bearer(client, "away")
    assert client.get(url, headers=away).status_code == 404
    assert (
        client.post(
            f"{API}/inspections", headers=away, json=_body(p.site.id, SiteCategory.ART8_5)
        ).status_code
        == 404
    )
    listed = client.get(f"{API}/inspections", headers=officer, params={"failed_only": True})
    assert [r["id"] for r in listed.json()["items"]] == [inspection["id"]]
    assert db.scalar(select(EnforcementCase.id)) == case.json()["id"]


def test_api_hostile_input(client: TestClient, registry: Registry) -> None:
    p = place(registry)
    officer = bearer(client, "officer")
    good = _body(p.site.id, SiteCategory.ART8_4)
    hostile: list[Any] = [
        {**good, "site_id": 0},
        {**good, "site_id": 2**40},
        {**good, "extra": 1},
        {**good, "notes": "x\x00y"},
        {**good, "notes": "x" * 2001},
        {**good, "inspected_on": "2016-09-30"},
        {**good, "inspected_on": "not a date"},
        {**good, "items": [{"key": "Signage'; DROP TABLE", "result": "pass"}]},
        {**good, "items": [{"key": "signage", "result": "maybe"}]},
        {**good, "items": [{"key": "signage", "result": "pass"}] * 33},
        {**good, "items": "signage"},
        [],
        "null",
    ]
    for body in hostile:
        response = client.post(f"{API}/inspections", headers=officer, json=body)
        assert response.status_code == 422, (body, response.text)
    refused = client.post(
        f"{API}/inspections",
        headers=officer,
        json={**good, "items": [*good["items"], {"key": "bogus", "result": "pass"}]},
    )
    assert refused.json()["error"]["details"]["rule"] == "inspection_item_unknown"
    missing = client.post(f"{API}/inspections", headers=officer, json={**good, "site_id": 999_999})
    assert missing.status_code == 404
    inspection = client.post(f"{API}/inspections", headers=officer, json=good).json()
    url = f"{API}/inspections/{inspection['id']}"
    for content, params, status in (
        (b"", {}, 422),
        (b"%PDF-1.7 not a photo", {}, 422),
        (b"GIF89a", {}, 422),
        (jpeg(), {"item": "../../etc"}, 422),
        (jpeg(), {"item": "x" * 33}, 422),
    ):
        response = client.post(f"{url}/photos", headers=officer, params=params, content=content)
        assert response.status_code == status, (content[:8], params, response.text)
    too_big = client.post(
        f"{url}/photos",
        headers={**officer, "Content-Length": str(photos.MAX_PHOTO_BYTES + 1)},
        content=b"\xff\xd8\xff" + b"\x00" * 16,
    )
    assert too_big.status_code == 413
    for body in (
        {"items": [], "facts": "x"},
        {"items": ["signage"], "facts": ""},
        {"items": ["signage"]},
    ):
        assert client.post(f"{url}/cases", headers=officer, json=body).status_code == 422
    not_failed = client.post(
        f"{url}/cases", headers=officer, json={"items": ["signage"], "facts": "x"}
    )
    assert not_failed.json()["error"]["details"]["rule"] == "followup_item_not_failed"
    assert client.get(f"{API}/inspection-photos/2147483648", headers=officer).status_code == 422
    assert client.get(f"{API}/inspections/0", headers=officer).status_code == 422


def test_policy_rows_for_inspections() -> None:
    """Police of the place inspect; the auditor and the unit's admin only read."""
    read = POLICY[(Resource.INSPECTION, Action.READ)]
    create = POLICY[(Resource.INSPECTION, Action.CREATE)]
    assert Role.UNIT_ADMIN in read
    assert Role.UNIT_ADMIN not in create
    assert Role.AUDITOR in read
    assert Role.AUDITOR not in create
    assert Role.OFFICER in create
    assert Role.OTHER_DEPT not in read
