"""The demo dataset's plan: deterministic, valid, and breaching every rule on purpose."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from psvis.compliance.constants import FILING_DEADLINE
from psvis.compliance.rules import FINDING_RULES
from psvis.demo import names
from psvis.demo.plan import Plan, build_plan
from psvis.registry import validation
from psvis.registry.codes import credit_code_problems, gb_id_problems
from psvis.registry.enums import MANDATORY_CATEGORIES, LifecycleState
from psvis.registry.jurisdictions import read_tree
from psvis.registry.models import System
from psvis.registry.schemas import SystemCreate
from psvis.registry.systems import lifecycle_facts

TODAY = dt.date(2025, 6, 1)
DISTRICTS = {n.code: (n.name, n.lat, n.lon) for n in read_tree() if n.level == "district"}


@pytest.fixture(scope="module")
def plan() -> Plan:
    return build_plan(rng_seed=2016, districts=DISTRICTS, today=TODAY)


def test_same_seed_same_plan_other_seed_other_plan(plan: Plan) -> None:
    assert build_plan(rng_seed=2016, districts=DISTRICTS, today=TODAY) == plan
    assert build_plan(rng_seed=7, districts=DISTRICTS, today=TODAY) != plan


@pytest.mark.parametrize("rng_seed", [2016, 1, 99])
def test_magnitudes_categories_and_districts(rng_seed: int) -> None:
    plan = build_plan(rng_seed=rng_seed, districts=DISTRICTS, today=TODAY)
    assert 180 <= len(plan.units) <= 230
    assert len(plan.sites) == 400
    assert 1800 <= sum(1 for _ in plan.cameras) <= 2300
    categories = {s.category for s in plan.sites}
    assert set(MANDATORY_CATEGORIES) <= categories
    assert sum(s.category.is_privacy for s in plan.sites) >= 5
    assert {s.district for s in plan.sites} == set(DISTRICTS)
    found = plan.expected_findings()
    assert {rule for rule in FINDING_RULES if found[rule] == 0} == set()


def test_names_are_unique_and_realistic(plan: Plan) -> None:
    assert len({u.name for u in plan.units}) == len(plan.units)
    assert len({s.name for s in plan.sites}) == len(plan.sites)
    names_ = {s.name for s in plan.sites}
    for expected in ("南昌西站", "地铁1号线八一广场站", "江西省博物馆", "八一广场"):
        assert expected in names_
    assert any(n.endswith("中学") for n in names_)
    assert any("支行" in n for n in names_)
    assert any(n.endswith("网吧") for n in names_)
    assert any(u.name.endswith("物业服务中心") for u in plan.units)


def test_codes_are_valid_and_unique(plan: Plan) -> None:
    codes = [u.credit_code for u in plan.units]
    assert len(set(codes)) == len(codes)
    for unit in plan.units:
        assert credit_code_problems(unit.credit_code) == []
        assert unit.credit_code[2:8] == unit.district
    gb_ids = [c.gb_id for c in plan.cameras]
    assert len(set(gb_ids)) == len(gb_ids)
    for system in plan.systems:
        district = plan.sites[system.site].district
        for camera in system.cameras:
            assert gb_id_problems(camera.gb_id, jurisdiction_codes=(district,)) == []
    types = Counter(gb[10:13] for gb in gb_ids)
    assert types["132"] > types["131"] > 0


def test_positions_lie_near_the_district_centre(plan: Plan) -> None:
    for site in plan.sites:
        _, lat, lon = DISTRICTS[site.district]
        assert abs(site.lat - lat) <= 0.03
        assert abs(site.lon - lon) <= 0.03
    for system in plan.systems:
        site = plan.sites[system.site]
        for camera in system.cameras:
            assert abs(camera.lat - site.lat) < 0.001
            assert abs(camera.lon - site.lon) < 0.001
            assert 0 <= camera.azimuth_deg < 360
            assert 0 < camera.fov_deg <= 360
            assert camera.stream_url.startswith("rtsp://127.0.0.1:8554/cam")


def test_every_system_passes_registry_validation(plan: Plan) -> None:
    unit_ids = list(range(1, len(plan.units) + 1))
    for system in plan.systems:
        data = SystemCreate.model_validate(system.create_fields(site_id=1, unit_ids=unit_ids))
        row = System(**data.model_dump(), jurisdiction_code="360102")
        assert validation.lifecycle(lifecycle_facts(row)) == [], system.ref
        assert validation.retention(system.retention_days) == []
        # Art. 16: a maintainer other than the user unit works under a contract.
        if system.maintainer != system.user:
            assert system.maintenance_contract, system.ref


def test_lifecycle_spans_every_state_and_filing_edges(plan: Plan) -> None:
    assert {s.state for s in plan.systems} == set(LifecycleState)
    filed = {s.filing_date for s in plan.systems}
    assert FILING_DEADLINE in filed  # day 90: in time
    assert FILING_DEADLINE + dt.timedelta(days=1) in filed  # day 91: late
    short = [
        s
        for s in plan.systems
        if s.removal_notice_date and s.planned_removal_date
        if (s.planned_removal_date - s.removal_notice_date).days < 3
    ]
    assert short


def test_planted_breaches_are_found_and_demo_units_have_work(plan: Plan) -> None:
    found = plan.expected_findings()
    for rule, planted in plan.planted.items():
        assert found[rule] >= planted > 0, rule
    demo = [s for s in plan.systems if s.user == plan.demo_unit]
    assert any(not s.signage_present for s in demo)
    assert plan.units[plan.demo_unit].name == names.DEMO_UNIT
    assert sum(s.maintainer == plan.demo_maintainer for s in plan.systems) >= 3
