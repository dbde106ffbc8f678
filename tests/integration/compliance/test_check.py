"""The compliance check over a real database: every rule, idempotence, resolution, scope."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import insert, select, update

from psvis.auth.policy import Role
from psvis.compliance import service
from psvis.compliance.models import Finding
from psvis.compliance.rules import FINDING_RULES
from psvis.registry.codes import make_gb_id
from psvis.registry.enums import CameraRole, LifecycleState, SiteCategory
from psvis.registry.models import Camera, System
from tests.support.factories import Registry
from tests.support.http import bearer

D = dt.date


def open_keys(registry: Registry) -> set[tuple[str, str, int]]:
    rows = registry.session.execute(
        select(Finding.rule, Finding.subject_type, Finding.subject_id).where(
            Finding.status == "open"
        )
    )
    return {(r.rule, r.subject_type, r.subject_id) for r in rows}


def build_violations(registry: Registry) -> dict[str, tuple[str, int]]:
    """One subject breaking each rule; everything else compliant."""
    out: dict[str, tuple[str, int]] = {}
    unit = registry.unit()
    # Art. 8: a bank with no system at all
    bank = registry.site(unit=unit, category=SiteCategory.ART8_4)
    out["art8_mandatory_site_uncovered"] = ("site", bank.id)
    # Art. 9: a legacy-survey camera in a bathhouse (the API refuses new ones)
    bath = registry.site(unit=unit, category=SiteCategory.ART9_BATHHOUSE)
    bath_system = registry.system(site=bath, unit=unit)
    cam_id = registry.session.execute(
        insert(Camera).returning(Camera.id),
        [
            {
                "gb_id": make_gb_id(division="360102", type_code="132", serial=900001),
                "name": "旧",
                "system_id": bath_system.id,
                "jurisdiction_code": "360102",
                "lat": 28.6,
                "lon": 115.9,
                "role": CameraRole.OTHER,
                "origin": "legacy_survey",
            }
        ],
    ).scalar_one()
    out["art9_privacy_site_camera"] = ("camera", cam_id)
    # Art. 10: accepted, operating, no signage (at an 'other' site so Art. 8 stays quiet)
    shop = registry.site(unit=unit, category=SiteCategory.OTHER)
    out["art10_no_signage"] = ("system", registry.system(site=shop, unit=unit, signage=False).id)
    # Art. 13: in operation while still building
    used = registry.system(
        site=shop,
        unit=unit,
        accepted=False,
        state=LifecycleState.BUILDING,
        in_operation=True,
        signage_present=True,
    )
    out["art13_used_before_acceptance"] = ("system", used.id)
    # Art. 13: built 2015, filed 2017
    late = registry.system(
        site=shop,
        unit=unit,
        accepted=False,
        commissioned_on=D(2015, 5, 1),
        filing_date=D(2017, 1, 3),
        filing_number="备-2017-1",
    )
    out["art13_legacy_not_filed"] = ("system", late.id)
    # Art. 15: removed two days after notice
    removed = registry.system(
        site=shop,
        unit=unit,
        state=LifecycleState.REMOVED,
        in_operation=False,
        removal_notice_date=D(2025, 6, 1),
        planned_removal_date=D(2025, 6, 3),
        removed_on=D(2025, 6, 3),
    )
    out["art15_removal_notice"] = ("system", removed.id)
    # Art. 17(4): the unit's own DVR keeps 15 days
    short = registry.system(site=shop, unit=unit, observed_retention_days=15)
    out["art17_4_retention_below_30"] = ("system", short.id)
    # a compliant, covered bank for contrast
    registry.covered_site()
    registry.session.commit()
    return out


def test_each_rule_found_exactly_where_broken(registry: Registry) -> None:
    expected = build_violations(registry)
    summary = service.run_check(registry.session)
    registry.session.commit()
    keys = open_keys(registry)
    assert keys == {(rule, kind, oid) for rule, (kind, oid) in expected.items()}
    assert {k[0] for k in keys} == set(FINDING_RULES)
    assert summary.opened == len(expected)
    assert summary.open_total == len(expected)
    art9 = registry.session.scalar(
        select(Finding).where(Finding.rule == "art9_privacy_site_camera")
    )
    assert art9 is not None
    assert art9.article == "Art. 9"
    assert art9.article_zh == "第九条"
    assert art9.jurisdiction_code == "360102"


def test_check_is_idempotent_and_resolves_and_reopens(registry: Registry) -> None:
    expected = build_violations(registry)
    service.run_check(registry.session)
    registry.session.commit()
    first = {f.id: f.first_seen for f in registry.session.scalars(select(Finding))}
    again = service.run_check(registry.session)
    registry.session.commit()
    assert again.opened == 0
    assert again.resolved == 0
    assert again.still_open == len(expected)
    registry.session.expire_all()
    assert {f.id: f.first_seen for f in registry.session.scalars(select(Finding))} == first
    # fix the signage: the finding resolves
    system_id = expected["art10_no_signage"][1]
    registry.session.execute(
        update(System).where(System.id == system_id).values(signage_present=True)
    )
    fixed = service.run_check(registry.session)
    registry.session.commit()
    assert fixed.resolved == 1
    row = registry.session.scalar(select(Finding).where(Finding.rule == "art10_no_signage"))
    assert row is not None
    assert row.status == "resolved"
    assert row.resolved_at is not None
    # break it again: the same finding reopens, no duplicate row
    registry.session.execute(
        update(System).where(System.id == system_id).values(signage_present=False)
    )
    reopened = service.run_check(registry.session)
    registry.session.commit()
    assert reopened.reopened == 1
    registry.session.expire_all()
    rows = list(registry.session.scalars(select(Finding).where(Finding.rule == "art10_no_signage")))
    assert len(rows) == 1
    assert rows[0].status == "open"
    assert rows[0].resolved_at is None


def test_findings_api_is_scoped(client: TestClient, registry: Registry) -> None:
    home = registry.unit(jurisdiction="360102")
    away = registry.unit(jurisdiction="360103")
    registry.site(unit=home, category=SiteCategory.ART8_1)
    registry.site(unit=away, category=SiteCategory.ART8_2)
    registry.user(role=Role.DISTRICT_ADMIN, jurisdiction="360102", username="dadmin")
    registry.user(role=Role.UNIT_ADMIN, units=(away.id,), username="awayunit")
    registry.user(role=Role.UNIT_OPERATOR, units=(away.id,), username="awayop")
    registry.session.commit()
    admin = bearer(client, "dadmin")
    assert client.post("/api/v1/compliance/check", headers=admin).status_code == 200
    items = client.get("/api/v1/findings", headers=admin).json()["items"]
    assert [i["jurisdiction_code"] for i in items] == ["360102"]
    unit_items = client.get("/api/v1/findings", headers=bearer(client, "awayunit")).json()["items"]
    assert [i["unit_id"] for i in unit_items] == [away.id]
    foreign = unit_items[0]["id"]
    assert client.get(f"/api/v1/findings/{foreign}", headers=admin).status_code == 404
    assert client.get("/api/v1/findings", headers=bearer(client, "awayop")).status_code == 403
    filtered = client.get("/api/v1/findings", headers=admin, params={"article": "Art. 8"}).json()
    assert filtered["total"] == 1
    assert (
        client.get("/api/v1/findings", headers=admin, params={"article": "Art. "}).json()["total"]
        == 0
    )


def test_hostile_findings_filters_are_422(client: TestClient, registry: Registry) -> None:
    """Found by the OpenAPI fuzz: an offset past 64 bits overflowed the driver, and a NUL
    in a text filter killed the query on PostgreSQL; both were 500s."""
    registry.user(role=Role.CITY_ADMIN, jurisdiction="360100", username="cadmin")
    registry.session.commit()
    admin = bearer(client, "cadmin")
    for params in (
        {"offset": 2**63},
        {"offset": 10_000_001},
        {"article": "\x00"},
        {"rule": "a\x00"},
    ):
        response = client.get("/api/v1/findings", headers=admin, params=params)
        assert response.status_code == 422, params
    assert (
        client.get("/api/v1/findings", headers=admin, params={"offset": 10_000_000}).json()["items"]
        == []
    )
