"""Fast bulk registry data for benchmarks: N sites, M cameras, with units and systems.

SQLAlchemy Core ``INSERT``s in chunks, no services: 100,000 cameras take seconds, not
minutes. Every row satisfies the schema's CHECK constraints (retention >= 30, accepted
systems carry their acceptance, removal states their dates, 20-digit GB IDs, valid
coordinates), and a realistic few per cent breach each compliance rule, so the check has
findings to write. IDs continue after the highest existing ones; GB/T 28181 IDs use the
grassroots code ``99`` and credit codes the body prefix ``BN`` so they do not collide with
the demo dataset.

    with engine.begin() as connection:
        summary = generate(connection, sites=20_000, cameras=100_000)
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, func, select, text

from psvis.compliance.constants import FILING_DEADLINE, IN_FORCE_DATE
from psvis.core.timeutil import utcnow
from psvis.registry.codes import credit_check_character, make_gb_id
from psvis.registry.enums import (
    MANDATORY_CATEGORIES,
    PRIVACY_CATEGORIES,
    AcceptanceResult,
    CameraRole,
    Investment,
    LifecycleState,
    NetworkInterface,
    SiteCategory,
    UnitKind,
)
from psvis.registry.models import Camera, Jurisdiction, Site, System, Unit

CHUNK = 5_000
S = LifecycleState
ROLES = (CameraRole.ENTRANCE, CameraRole.PASSAGE, CameraRole.KEY_SPOT, CameraRole.OTHER)

# Share of sites / systems breaching each rule (of mandatory sites, resp. main systems).
P_SITE_WITHOUT_SYSTEM = 0.03
P_PRIVACY_SITE = 0.01
P_OTHER_SITE = 0.14
P_ONLY_OTHER_ROLE = 0.01
P_NO_SIGNAGE = 0.02
P_USED_BEFORE_ACCEPTANCE = 0.015
P_LEGACY = 0.08  # of which 70 % filed in time, 15 % not filed, 15 % filed late
P_LOW_RETENTION = 0.02
P_REMOVED_EXTRA = 0.01  # an extra, removed system: a third without notice, a third short
P_EXPANSION = 0.04  # an extra system still being built


@dataclass(frozen=True, slots=True)
class SyntheticSummary:
    units: int
    sites: int
    systems: int
    cameras: int
    seconds: float
    #: Subjects built to breach each rule (before knock-on effects).
    planted: dict[str, int]


def _table(model: Any) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _next_id(connection: Connection, model: Any) -> int:
    return int(connection.scalar(select(func.coalesce(func.max(model.id), 0))) or 0) + 1


def _insert(connection: Connection, model: Any, rows: Sequence[dict[str, Any]]) -> None:
    table = _table(model)
    for start in range(0, len(rows), CHUNK):
        connection.execute(table.insert(), list(rows[start : start + CHUNK]))


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))


def _credit_code(division: str, serial: int) -> str:
    first17 = f"91{division}BN{serial:07d}"
    return first17 + credit_check_character(first17)


def generate(
    connection: Connection,
    *,
    sites: int,
    cameras: int,
    seed: int = 1,
    today: dt.date = dt.date(2025, 6, 1),
) -> SyntheticSummary:
    """Insert ``sites`` sites and ``cameras`` cameras (plus units and systems)."""
    if cameras < sites:
        raise ValueError("give at least one camera per site")
    started = time.perf_counter()
    rng = random.Random(seed)
    now = utcnow()
    stamps = {"created_at": now, "updated_at": now}
    centres = {
        code: (lat, lon)
        for code, lat, lon in connection.execute(
            select(Jurisdiction.code, Jurisdiction.lat, Jurisdiction.lon).where(
                Jurisdiction.level == "district"
            )
        )
    }
    if not centres:
        raise ValueError("the jurisdiction tree is empty: run initialise() first")
    districts = sorted(centres)
    planted: Counter[str] = Counter()

    # --- units: owners (about one per eight sites) and maintenance companies ---------
    unit_id = _next_id(connection, Unit)
    n_owners, n_maintainers = max(2, sites // 8), max(1, sites // 400)
    unit_rows: list[dict[str, Any]] = []
    for i in range(n_owners + n_maintainers):
        division = rng.choice(districts)
        government = i < n_owners and rng.random() < 0.3
        unit_rows.append(
            {
                "id": unit_id + i,
                "name": f"基准单位{unit_id + i}" if i < n_owners else f"基准维保公司{unit_id + i}",
                "credit_code": _credit_code(division, unit_id + i),
                "kind": UnitKind.GOVERNMENT if government else UnitKind.NON_GOVERNMENT,
                "jurisdiction_code": division,
                **stamps,
            }
        )
    owners = [r["id"] for r in unit_rows[:n_owners]]
    maintainers = [r["id"] for r in unit_rows[n_owners:]]
    government_units = {r["id"] for r in unit_rows if r["kind"] is UnitKind.GOVERNMENT}
    _insert(connection, Unit, unit_rows)

    # --- sites --------------------------------------------------------------------------
    site_id = _next_id(connection, Site)
    site_rows: list[dict[str, Any]] = []
    for i in range(sites):
        division = rng.choice(districts)
        lat, lon = centres[division]
        roll = rng.random()
        if roll < P_PRIVACY_SITE:
            category = rng.choice(PRIVACY_CATEGORIES)
        elif roll < P_PRIVACY_SITE + P_OTHER_SITE:
            category = SiteCategory.OTHER
        else:
            category = rng.choice(MANDATORY_CATEGORIES)
        site_rows.append(
            {
                "id": site_id + i,
                "name": f"基准场所{site_id + i}",
                "lat": round(lat + rng.uniform(-0.03, 0.03), 6),
                "lon": round(lon + rng.uniform(-0.03, 0.03), 6),
                "category": category,
                "responsible_unit_id": rng.choice(owners),
                "jurisdiction_code": division,
                **stamps,
            }
        )
    _insert(connection, Site, site_rows)

    # --- systems ------------------------------------------------------------------------
    system_id = _next_id(connection, System)
    system_rows: list[dict[str, Any]] = []
    # (system id, site row, cameras allowed, only "other" roles, legacy survey)
    camera_hosts: list[tuple[int, dict[str, Any], bool, bool]] = []

    def add_system(site: dict[str, Any], **facts: Any) -> dict[str, Any]:
        user = site["responsible_unit_id"]
        government = user in government_units
        maintainer = user if rng.random() < 0.5 else rng.choice(maintainers)
        accepted = _day(rng, dt.date(2017, 1, 10), today - dt.timedelta(days=60))
        row: dict[str, Any] = {
            "id": system_id + len(system_rows),
            "name": f"基准系统{system_id + len(system_rows)}",
            "site_id": site["id"],
            "jurisdiction_code": site["jurisdiction_code"],
            "builder_unit_id": rng.choice((user, rng.choice(maintainers))),
            "user_unit_id": user,
            "maintainer_unit_id": maintainer,
            "maintenance_contract": "" if maintainer == user else f"BENCH-{len(system_rows)}",
            "investment": Investment.GOVERNMENT if government else Investment.NON_GOVERNMENT,
            "signage_present": True,
            "network_interface": NetworkInterface.GB28181,
            "retention_days": rng.choice((30, 30, 60, 90)),
            "observed_retention_days": None if rng.random() < 0.6 else rng.randint(30, 120),
            "state": S.ACCEPTED,
            "in_operation": True,
            "commissioned_on": accepted + dt.timedelta(days=3),
            "acceptance_police_participant": "基准分局 民警",
            "acceptance_date": accepted,
            "acceptance_result": AcceptanceResult.PASSED,
            "removal_notice_date": None,
            "planned_removal_date": None,
            "removed_on": None,
            "filing_number": "",
            "filing_date": None,
            **stamps,
        }
        row.update(facts)
        system_rows.append(row)
        return row

    unaccepted = {
        "acceptance_police_participant": "",
        "acceptance_date": None,
        "acceptance_result": None,
    }
    for site in site_rows:
        site_category: SiteCategory = site["category"]
        if site_category.is_mandatory and rng.random() < P_SITE_WITHOUT_SYSTEM:
            planted["art8_mandatory_site_uncovered"] += 1
            continue
        if site_category.is_privacy:  # found by a legacy survey, filed in time
            row = add_system(
                site,
                **unaccepted,
                state=S.ACCEPTANCE_PENDING,
                commissioned_on=dt.date(2015, 5, 1),
                filing_date=dt.date(2016, 11, 1),
                filing_number="BENCH-FILED",
            )
            camera_hosts.append((row["id"], site, False, True))
            continue
        roll = rng.random()
        facts: dict[str, Any] = {}
        only_other = False
        if roll < P_NO_SIGNAGE:
            facts = {"signage_present": False}
            planted["art10_no_signage"] += 1
        elif (roll := roll - P_NO_SIGNAGE) < P_USED_BEFORE_ACCEPTANCE:
            facts = {**unaccepted, "state": S.BUILDING, "commissioned_on": today}
            planted["art13_used_before_acceptance"] += 1
        elif (roll := roll - P_USED_BEFORE_ACCEPTANCE) < P_LEGACY:
            legacy = _day(rng, dt.date(2008, 1, 1), IN_FORCE_DATE - dt.timedelta(days=5))
            filing_roll = rng.random()
            if filing_roll < 0.7:
                filed: dt.date | None = _day(rng, IN_FORCE_DATE, FILING_DEADLINE)
            elif filing_roll < 0.85:
                filed = None
            else:
                filed = FILING_DEADLINE + dt.timedelta(days=rng.randint(1, 200))
            planted["art13_legacy_not_filed"] += filing_roll >= 0.7
            facts = {
                **unaccepted,
                "state": S.ACCEPTANCE_PENDING,
                "commissioned_on": legacy,
                "filing_date": filed,
                "filing_number": "BENCH-FILED" if filed else "",
            }
        elif (roll := roll - P_LEGACY) < P_LOW_RETENTION:
            facts = {"observed_retention_days": rng.randint(7, 25)}
            planted["art17_4_retention_below_30"] += 1
        elif roll - P_LOW_RETENTION < P_ONLY_OTHER_ROLE:
            only_other = True
            planted["art8_mandatory_site_uncovered"] += site_category.is_mandatory
        row = add_system(site, **facts)
        camera_hosts.append((row["id"], site, only_other, False))
        if rng.random() < P_REMOVED_EXTRA:
            removed = _day(rng, dt.date(2020, 1, 1), today - dt.timedelta(days=30))
            kind = rng.randrange(3)  # 0 proper, 1 no notice, 2 one day's notice
            notice = None if kind == 1 else removed - dt.timedelta(days=(10, 0, 1)[kind])
            add_system(
                site,
                state=S.REMOVED,
                in_operation=False,
                removed_on=removed,
                removal_notice_date=notice,
                planned_removal_date=removed if notice else None,
            )
            planted["art15_removal_notice"] += kind != 0
        if rng.random() < P_EXPANSION:
            extra = add_system(site, **unaccepted, state=S.BUILDING, in_operation=False)
            extra["commissioned_on"] = None
            extra["signage_present"] = False
    _insert(connection, System, system_rows)

    # --- cameras: one per hosting system, the rest spread at random --------------------
    if cameras < len(camera_hosts):
        raise ValueError(f"{cameras} cameras cannot equip {len(camera_hosts)} systems")
    counts = Counter(range(len(camera_hosts)))
    counts.update(rng.choices(range(len(camera_hosts)), k=cameras - len(camera_hosts)))
    camera_id = _next_id(connection, Camera)
    if camera_id + cameras > 10**6:
        raise ValueError("GB/T 28181 serials have six digits: at most 999,999 cameras")
    camera_rows: list[dict[str, Any]] = []
    for host, (system, site, only_other, surveyed) in enumerate(camera_hosts):
        for k in range(counts[host]):
            number = camera_id + len(camera_rows)
            if only_other:
                role = CameraRole.OTHER
            elif k == 0:
                role = CameraRole.ENTRANCE
            else:
                role = rng.choices(ROLES, weights=(15, 35, 30, 20))[0]
            camera_rows.append(
                {
                    "id": number,
                    "gb_id": make_gb_id(
                        division=site["jurisdiction_code"],
                        type_code="131" if rng.random() < 0.15 else "132",
                        serial=number,
                        grassroots="99",
                    ),
                    "name": f"基准摄像机{number}",
                    "system_id": system,
                    "jurisdiction_code": site["jurisdiction_code"],
                    "lat": site["lat"],
                    "lon": site["lon"],
                    "azimuth_deg": round(rng.uniform(0, 359.9), 1),
                    "fov_deg": 90.0,
                    "range_m": 30.0,
                    "role": role,
                    "stream_url": f"rtsp://127.0.0.1:8554/cam{number}",
                    "enabled": True,
                    "origin": "legacy_survey" if surveyed else "registry",
                    **stamps,
                }
            )
            planted["art9_privacy_site_camera"] += surveyed
    _insert(connection, Camera, camera_rows)
    _fix_sequences(connection, (Unit, Site, System, Camera))
    return SyntheticSummary(
        units=len(unit_rows),
        sites=len(site_rows),
        systems=len(system_rows),
        cameras=len(camera_rows),
        seconds=time.perf_counter() - started,
        planted=dict(planted),
    )


def _fix_sequences(connection: Connection, models: Iterable[Any]) -> None:
    """Explicit ids leave PostgreSQL's serial sequences behind; move them past the rows
    so later ordinary inserts (an import, the API) do not collide."""
    if connection.dialect.name != "postgresql":
        return
    for model in models:
        name = _table(model).name  # one of our own table names, not input
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608
                f"(SELECT COALESCE(MAX(id), 1) FROM {name}))"
            )
        )
