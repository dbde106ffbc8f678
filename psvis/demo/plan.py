"""The synthetic dataset as a plan: units, sites, systems and cameras, decided before
anything is written.

:func:`build_plan` is a pure function of a seed, the jurisdiction tree and a reference
day, so the same inputs give the same dataset and tests can check it without a database.
Violations of every finding rule are planted on purpose, a few per cent each, and
:meth:`Plan.expected_findings` runs the pure rules of :mod:`psvis.compliance.rules` over
the plan, so a test can compare it with what the compliance check finds in the database.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from psvis.compliance import rules
from psvis.compliance.constants import FILING_DEADLINE, IN_FORCE_DATE
from psvis.demo import names as N
from psvis.registry.codes import CREDIT_ALPHABET, credit_check_character, make_gb_id
from psvis.registry.enums import (
    AcceptanceResult,
    CameraRole,
    Investment,
    LifecycleState,
    NetworkInterface,
    SiteCategory,
    UnitKind,
)

S = LifecycleState
#: Deliberate breaches planted in the dataset, per finding rule (before knock-on effects:
#: an unaccepted system also leaves its mandatory site uncovered).
SITES_WITHOUT_SYSTEM = 12
SITES_NOT_ACCEPTED = 6
SITES_ONLY_OTHER_ROLE = 4
PRIVACY_SITES_WITH_CAMERAS = 5
SYSTEMS_WITHOUT_SIGNAGE = 12
SYSTEMS_USED_BEFORE_ACCEPTANCE = 8
LEGACY_FILED_IN_TIME, LEGACY_NOT_FILED, LEGACY_FILED_LATE = 26, 8, 6
SYSTEMS_LOW_OBSERVED_RETENTION = 10
REMOVALS_PROPER, REMOVALS_WITHOUT_NOTICE, REMOVALS_SHORT_NOTICE = 5, 3, 2
REMOVALS_NOTIFIED_PROPER, REMOVALS_NOTIFIED_SHORT = 4, 1
EXPANSIONS = 24
CAMERAS_WITH_PASSWORD = 15
#: Cameras answer on a local RTSP simulator; no real device or credential is involved.
STREAM_URL = "rtsp://127.0.0.1:8554/cam{serial}"

ENTRANCES = ("正门入口", "东门", "西门", "南门", "北门", "车辆出入口", "大厅入口", "侧门")
PASSAGES = ("一楼通道", "二楼走廊", "楼梯口", "电梯厅", "地下车库通道", "连廊", "消防通道")
OTHERS = ("屋顶", "外墙", "围墙", "绿化带", "停车场全景")
KEY_SPOTS: dict[str, tuple[str, ...]] = {
    "art8_1": ("机要室门口", "信访接待室", "档案室门口"),
    "art8_2": ("售票厅", "安检口", "候车厅", "站台", "闸机", "桥面", "隧道口"),
    "art8_3": ("配电房", "加油区", "罐区", "控制室", "取水口"),
    "art8_4": ("营业柜台", "自助银行", "金库通道", "现金区", "机房"),
    "art8_5": ("教学楼走廊", "操场", "挂号大厅", "药房", "急诊入口", "吧台", "实验室门口"),
    "art8_6": ("展厅", "文物库房", "售票处", "主殿"),
    "art8_7": ("中庭", "收银区", "广场中心", "仓储区", "卸货区"),
    "art8_8": ("危化品库门", "实验室门口", "储罐区", "装卸台"),
    "art8_9": ("总装车间", "保密区门口", "施工区", "材料库"),
    "art8_10": ("小区大门", "单元门口", "地下车库", "快递柜"),
    "art8_11": ("前台", "收购区", "交易大厅", "柜台"),
    "art9_hotel_room": ("客房内", "客房走廊"),
    "art9_bathhouse": ("洗浴区", "更衣区"),
    "art9_changing_room": ("更衣区", "淋浴间"),
    "art9_dormitory": ("寝室内", "宿舍盥洗间"),
    "art9_toilet": ("卫生间内", "洗手台"),
    "other": ("收银台", "仓库", "前台"),
}


@dataclass(frozen=True, slots=True)
class UnitPlan:
    name: str
    credit_code: str
    kind: UnitKind
    district: str
    address: str
    contact_name: str
    contact_phone: str


@dataclass(frozen=True, slots=True)
class SitePlan:
    ref: str
    name: str
    address: str
    lat: float
    lon: float
    category: SiteCategory
    unit: int  # index into Plan.units
    district: str


@dataclass(frozen=True, slots=True)
class CameraPlan:
    gb_id: str
    name: str
    lat: float
    lon: float
    azimuth_deg: float
    fov_deg: float
    range_m: float
    role: CameraRole
    stream_url: str
    username: str = ""
    password: str | None = None
    retention_days: int | None = None
    enabled: bool = True


@dataclass(slots=True)
class SystemPlan:
    """A system's registration fields (unit and site as plan indexes) and its cameras."""

    ref: str
    name: str
    site: int
    builder: int
    user: int
    maintainer: int
    maintenance_contract: str
    investment: Investment
    signage_present: bool = True
    network_interface: NetworkInterface = NetworkInterface.GB28181
    retention_days: int = 30
    observed_retention_days: int | None = None
    state: LifecycleState = S.ACCEPTED
    in_operation: bool = True
    commissioned_on: dt.date | None = None
    acceptance_police_participant: str = ""
    acceptance_date: dt.date | None = None
    acceptance_result: AcceptanceResult | None = None
    removal_notice_date: dt.date | None = None
    planned_removal_date: dt.date | None = None
    removed_on: dt.date | None = None
    filing_number: str = ""
    filing_date: dt.date | None = None
    cameras: list[CameraPlan] = field(default_factory=list)
    #: Cameras recorded as found by the bureau's survey at an Art. 9 privacy site: the
    #: registry refuses such cameras, so the seeder records them as ``legacy_survey``.
    legacy_survey: bool = False

    def create_fields(self, *, site_id: int, unit_ids: list[int]) -> dict[str, Any]:
        """The fields of :class:`~psvis.registry.schemas.SystemCreate`."""
        return {
            "ref": self.ref,
            "name": self.name,
            "site_id": site_id,
            "builder_unit_id": unit_ids[self.builder],
            "user_unit_id": unit_ids[self.user],
            "maintainer_unit_id": unit_ids[self.maintainer],
            "maintenance_contract": self.maintenance_contract,
            "investment": self.investment,
            "signage_present": self.signage_present,
            "network_interface": self.network_interface,
            "retention_days": self.retention_days,
            "observed_retention_days": self.observed_retention_days,
            "state": self.state,
            "in_operation": self.in_operation,
            "commissioned_on": self.commissioned_on,
            "acceptance_police_participant": self.acceptance_police_participant,
            "acceptance_date": self.acceptance_date,
            "acceptance_result": self.acceptance_result,
            "removal_notice_date": self.removal_notice_date,
            "planned_removal_date": self.planned_removal_date,
            "removed_on": self.removed_on,
            "filing_number": self.filing_number,
            "filing_date": self.filing_date,
        }

    def facts(self, system_id: int) -> rules.SystemFacts:
        return rules.SystemFacts(
            id=system_id,
            site_id=self.site,
            state=self.state,
            in_operation=self.in_operation,
            signage_present=self.signage_present,
            commissioned_on=self.commissioned_on,
            acceptance_result=self.acceptance_result,
            acceptance_date=self.acceptance_date,
            filing_date=self.filing_date,
            removal_notice_date=self.removal_notice_date,
            planned_removal_date=self.planned_removal_date,
            removed_on=self.removed_on,
            observed_retention_days=self.observed_retention_days,
        )


@dataclass(slots=True)
class Plan:
    units: list[UnitPlan]
    sites: list[SitePlan]
    systems: list[SystemPlan]
    #: Deliberate breaches per finding rule (what the dataset was built to show).
    planted: dict[str, int]
    demo_unit: int
    demo_maintainer: int

    @property
    def cameras(self) -> Iterator[CameraPlan]:
        return (c for s in self.systems for c in s.cameras)

    def expected_findings(self) -> Counter[str]:
        """Open findings per rule the compliance check must report for this plan, computed
        with the same pure rules the engine applies."""
        found: Counter[str] = Counter()
        by_site: dict[int, list[rules.SystemFacts]] = defaultdict(list)
        roles: dict[int, set[CameraRole]] = defaultdict(set)
        for index, system in enumerate(self.systems):
            facts = system.facts(index)
            by_site[system.site].append(facts)
            roles[index] = {c.role for c in system.cameras if c.enabled}
            for decision in (
                rules.signage_present(facts),
                rules.used_only_after_acceptance(facts),
                rules.legacy_system_filed(facts),
                rules.removal_properly_notified(facts),
                rules.observed_retention_sufficient(facts),
            ):
                found[decision.rule] += not decision.ok
            site = self.sites[system.site]
            for camera in system.cameras:
                decision = rules.privacy_site_has_no_camera(site.category, camera.gb_id)
                found[decision.rule] += not decision.ok
        for index, site in enumerate(self.sites):
            if site.category.is_mandatory:
                decision = rules.mandatory_site_covered(
                    site.category, by_site.get(index, []), dict(roles)
                )
                found[decision.rule] += not decision.ok
        return +found


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))


class _Planner:
    def __init__(
        self,
        rng: random.Random,
        districts: Mapping[str, tuple[str, float, float]],
        today: dt.date,
    ) -> None:
        self.rng = rng
        self.districts = districts
        self.today = today
        self.units: list[UnitPlan] = []
        self.sites: list[SitePlan] = []
        self.systems: list[SystemPlan] = []
        self.maintainers: list[int] = []
        self._codes: set[str] = set()
        self._serial = itertools.count(1)
        self._filing = itertools.count(1)
        self._contract = itertools.count(1)

    # --- units and sites ------------------------------------------------------------

    def credit_code(self, authority: str, district: str) -> str:
        """A valid GB 32100 code: registering authority + kind, division, organisation
        code (companies registered since 2015 carry the ``MA`` prefix), check character."""
        while True:
            if authority == N.COMPANY and self.rng.random() < 0.6:
                body = "MA" + "".join(self.rng.choices(CREDIT_ALPHABET, k=7))
            else:
                body = "".join(self.rng.choices("0123456789", k=8)) + self.rng.choice(
                    CREDIT_ALPHABET
                )
            first17 = f"{authority}{district}{body}"
            code = first17 + credit_check_character(first17)
            if code not in self._codes:
                self._codes.add(code)
                return code

    def address(self, district: str) -> str:
        name = self.districts[district][0]
        return f"南昌市{name}{self.rng.choice(N.ROADS[district])}{self.rng.randint(1, 999)}号"

    def add_unit(self, name: str, kind: UnitKind, authority: str, district: str) -> int:
        phone = f"0791-8{self.rng.randrange(10**6, 10**7)}"
        self.units.append(
            UnitPlan(
                name=name,
                credit_code=self.credit_code(authority, district),
                kind=kind,
                district=district,
                address=self.address(district),
                contact_name=N.person(self.rng),
                contact_phone=phone,
            )
        )
        return len(self.units) - 1

    def add_site(self, spec: N.SiteSpec, unit: int) -> int:
        _, lat, lon = self.districts[spec.district]
        self.sites.append(
            SitePlan(
                ref=f"NC-S{len(self.sites) + 1:04d}",
                name=spec.name,
                address=self.address(spec.district),
                lat=round(lat + self.rng.uniform(-0.03, 0.03), 6),
                lon=round(lon + self.rng.uniform(-0.03, 0.03), 6),
                category=spec.category,
                unit=unit,
                district=spec.district,
            )
        )
        return len(self.sites) - 1

    # --- cameras --------------------------------------------------------------------

    def camera(self, site: SitePlan, role: CameraRole, label: str) -> CameraPlan:
        serial = next(self._serial)
        type_code = "131" if self.rng.random() < 0.15 else "132"
        ptz = self.rng.random() < 0.08
        return CameraPlan(
            gb_id=make_gb_id(division=site.district, type_code=type_code, serial=serial),
            name=f"{site.name}{label}",
            lat=round(site.lat + self.rng.uniform(-0.0006, 0.0006), 6),
            lon=round(site.lon + self.rng.uniform(-0.0006, 0.0006), 6),
            azimuth_deg=round(self.rng.uniform(0, 359.9), 1),
            fov_deg=360.0 if ptz else float(self.rng.choice((60, 75, 90, 100, 110))),
            range_m=float(self.rng.choice((15, 20, 30, 40, 50, 80, 120))),
            role=role,
            stream_url=STREAM_URL.format(serial=serial),
            retention_days=self.rng.choice((None,) * 9 + (60,)),
        )

    def cameras(self, site: SitePlan, count: int, *, only_other: bool = False) -> list[CameraPlan]:
        spots = KEY_SPOTS[site.category.value]
        used: Counter[str] = Counter()
        out = []
        for i in range(count):
            if only_other:
                role = CameraRole.OTHER
            elif site.category.is_privacy:
                role = CameraRole.KEY_SPOT
            elif i == 0:
                role = CameraRole.ENTRANCE
            else:
                role = self.rng.choices(
                    (
                        CameraRole.ENTRANCE,
                        CameraRole.PASSAGE,
                        CameraRole.KEY_SPOT,
                        CameraRole.OTHER,
                    ),
                    weights=(15, 35, 30, 20),
                )[0]
            pool = {
                CameraRole.ENTRANCE: ENTRANCES,
                CameraRole.PASSAGE: PASSAGES,
                CameraRole.KEY_SPOT: spots,
                CameraRole.OTHER: OTHERS,
            }[role]
            label = self.rng.choice(pool)
            used[label] += 1
            suffix = str(used[label]) if used[label] > 1 else ""
            camera = self.camera(site, role, f"{label}{suffix}")
            if i > 0 and self.rng.random() < 0.01:
                camera = replace(camera, enabled=False)
            out.append(camera)
        return out

    # --- systems --------------------------------------------------------------------

    def police(self, district: str) -> str:
        return f"{N.police_unit(district, self.districts[district][0])} {N.person(self.rng)}"

    def system(self, site_index: int, *, suffix: str = "") -> SystemPlan:
        """A normal system: accepted, operating, signed, with a maintainer (Art. 16)."""
        rng = self.rng
        site = self.sites[site_index]
        user = site.unit
        government = self.units[user].kind is UnitKind.GOVERNMENT
        company = rng.choice(self.maintainers)
        builder = company if rng.random() < 0.7 else user
        roll = rng.random()
        if government:
            maintainer = user if roll < 0.55 else rng.choice(self.maintainers)
        else:
            maintainer = builder if roll < 0.4 else user if roll < 0.7 else company
        contract = ""
        if maintainer != user:
            short = self.units[maintainer].name[2:4]
            year = rng.randint(2019, self.today.year)
            contract = f"{short}维保字〔{year}〕第{next(self._contract):03d}号"
        if government:
            interface = NetworkInterface.GB28181
        else:
            interface = rng.choices(
                (
                    NetworkInterface.GB28181,
                    NetworkInterface.ONVIF,
                    NetworkInterface.RTSP,
                    NetworkInterface.NONE,
                ),
                weights=(60, 20, 10, 10),
            )[0]
        long_retention = site.category in (SiteCategory.ART8_4, SiteCategory.ART8_2)
        retention = 90 if long_retention else rng.choice((30, 30, 30, 45, 60, 90))
        observed = None if rng.random() < 0.55 else rng.randint(30, 120)
        accepted = _day(rng, dt.date(2017, 1, 10), self.today - dt.timedelta(days=60))
        return SystemPlan(
            ref=f"NC-SYS{len(self.systems) + 1:04d}",
            name=f"{site.name}视频监控系统{suffix}",
            site=site_index,
            builder=builder,
            user=user,
            maintainer=maintainer,
            maintenance_contract=contract,
            investment=Investment.GOVERNMENT if government else Investment.NON_GOVERNMENT,
            network_interface=interface,
            retention_days=retention,
            observed_retention_days=observed,
            commissioned_on=accepted + dt.timedelta(days=rng.randint(1, 15)),
            acceptance_police_participant=self.police(site.district),
            acceptance_date=accepted,
            acceptance_result=AcceptanceResult.PASSED,
        )

    def add_system(self, system: SystemPlan, cameras: int, **camera_kw: bool) -> SystemPlan:
        system.cameras = self.cameras(self.sites[system.site], cameras, **camera_kw)
        self.systems.append(system)
        return system

    def not_accepted(self, system: SystemPlan, state: LifecycleState) -> None:
        """Undo acceptance: the system is still being built or awaits acceptance."""
        system.state = state
        system.acceptance_police_participant = ""
        system.acceptance_date = None
        system.acceptance_result = None
        system.commissioned_on = None
        system.in_operation = False
        system.observed_retention_days = None

    def failed_acceptance(self, system: SystemPlan) -> None:
        """Acceptance held and failed: back to building (Art. 13)."""
        day = _day(self.rng, self.today - dt.timedelta(days=200), self.today - dt.timedelta(days=5))
        self.not_accepted(system, S.BUILDING)
        system.acceptance_police_participant = self.police(self.sites[system.site].district)
        system.acceptance_date = day
        system.acceptance_result = AcceptanceResult.FAILED

    def legacy(self, system: SystemPlan, filing: str) -> None:
        """Built before 2016-10-01 (Art. 13, 28): ``filing`` is in_time, late or none."""
        rng = self.rng
        system.commissioned_on = _day(rng, dt.date(2006, 3, 1), dt.date(2016, 9, 25))
        reaccepted = filing == "in_time" and rng.random() < 0.35
        if not reaccepted:
            # No state means "predates the regulation"; such systems are registered as
            # awaiting acceptance and are judged by their filing instead (rules.is_legacy).
            commissioned = system.commissioned_on
            self.not_accepted(system, S.ACCEPTANCE_PENDING)
            system.commissioned_on = commissioned
            system.in_operation = True
        else:  # upgraded later and accepted then; still had to be filed
            system.acceptance_date = _day(rng, dt.date(2017, 3, 1), dt.date(2021, 12, 31))
        if filing == "none":
            return
        if filing == "in_time":
            day = _day(rng, IN_FORCE_DATE + dt.timedelta(days=7), FILING_DEADLINE)
        else:
            day = _day(rng, FILING_DEADLINE + dt.timedelta(days=1), dt.date(2017, 9, 30))
        bureau = N.police_unit(
            self.sites[system.site].district, self.districts[self.sites[system.site].district][0]
        )
        system.filing_date = day
        system.filing_number = f"{bureau}视备〔{day.year}〕{next(self._filing):03d}号"


def _take(items: list[SystemPlan], count: int) -> list[SystemPlan]:
    taken, items[:] = items[:count], items[count:]
    if len(taken) < count:
        raise ValueError("the catalogue is too small for the planted violations")
    return taken


def build_plan(
    *,
    rng_seed: int,
    districts: Mapping[str, tuple[str, float, float]],
    today: dt.date,
) -> Plan:
    """The whole dataset for ``rng_seed``. ``districts`` maps each district code to its
    name and centre (lat, lon); ``today`` anchors the recent dates (acceptances, notices)."""
    rng = random.Random(rng_seed)
    p = _Planner(rng, districts, today)
    owners = N.catalogue(rng, {code: v[0] for code, v in districts.items()})
    specs: list[N.SiteSpec] = []
    for owner in owners:
        unit = p.add_unit(owner.name, owner.kind, owner.authority, owner.district)
        for spec in owner.sites:
            specs.append(spec)
            p.add_site(spec, unit)
    for name in N.MAINTENANCE_COMPANIES:
        p.maintainers.append(
            p.add_unit(name, UnitKind.NON_GOVERNMENT, N.COMPANY, p.rng.choice(N.URBAN))
        )
    demo_unit = next(i for i, u in enumerate(p.units) if u.name == N.DEMO_UNIT)
    demo_maintainer = next(i for i, u in enumerate(p.units) if u.name == N.DEMO_MAINTAINER)

    # Site-level breaches of Art. 8 (the demo unit's own sites are kept working).
    mandatory = [
        i for i, s in enumerate(p.sites) if s.category.is_mandatory and s.unit != demo_unit
    ]
    rng.shuffle(mandatory)
    no_system = set(mandatory[:SITES_WITHOUT_SYSTEM])
    cut = SITES_WITHOUT_SYSTEM + SITES_NOT_ACCEPTED
    not_accepted = dict(
        zip(
            mandatory[SITES_WITHOUT_SYSTEM:cut],
            itertools.cycle((S.PLANNED, S.BUILDING, S.ACCEPTANCE_PENDING)),
            strict=False,
        )
    )
    only_other = set(mandatory[cut : cut + SITES_ONLY_OTHER_ROLE])
    privacy = [i for i, s in enumerate(p.sites) if s.category.is_privacy]
    rng.shuffle(privacy)
    surveyed = set(privacy[:PRIVACY_SITES_WITH_CAMERAS])
    others = [i for i, s in enumerate(p.sites) if s.category is SiteCategory.OTHER]
    unequipped = set(rng.sample(others, k=len(others) // 4))

    normal: list[SystemPlan] = []
    for index, site in enumerate(p.sites):
        if index in no_system or index in unequipped:
            continue
        if site.category.is_privacy and index not in surveyed:
            continue
        low, high = specs[index].cameras
        count = rng.randint(low, max(low, high - 1))
        system = p.system(index)
        if index in surveyed:
            p.legacy(system, "in_time")
            system.legacy_survey = True
            p.add_system(system, count)
        elif index in not_accepted:
            state = not_accepted[index]
            p.not_accepted(system, state)
            system.signage_present = state is S.ACCEPTANCE_PENDING
            p.add_system(system, 0 if state is S.PLANNED else count)
        elif index in only_other:
            p.add_system(system, count, only_other=True)
        else:
            normal.append(p.add_system(system, count))

    # System-level breaches, on disjoint systems; the demo unit gets one to look at.
    rng.shuffle(normal)
    first_demo = next(s for s in normal if s.user == demo_unit)
    normal.remove(first_demo)
    normal.insert(0, first_demo)
    covered_sites = [s.site for s in normal]
    for system in _take(normal, SYSTEMS_WITHOUT_SIGNAGE):
        system.signage_present = False
    for k, system in enumerate(_take(normal, SYSTEMS_USED_BEFORE_ACCEPTANCE)):
        if k % 3 == 0:
            p.failed_acceptance(system)
        else:
            p.not_accepted(system, S.ACCEPTANCE_PENDING if k % 3 == 1 else S.BUILDING)
        system.in_operation = True
        system.commissioned_on = today - dt.timedelta(days=rng.randint(30, 400))
    legacy = _take(normal, LEGACY_FILED_IN_TIME + LEGACY_NOT_FILED + LEGACY_FILED_LATE)
    for k, system in enumerate(legacy):
        filing = (
            "in_time"
            if k < LEGACY_FILED_IN_TIME
            else "none"
            if k < LEGACY_FILED_IN_TIME + LEGACY_NOT_FILED
            else "late"
        )
        p.legacy(system, filing)
    legacy[0].filing_date = FILING_DEADLINE  # day 90: still in time
    legacy[-1].filing_date = FILING_DEADLINE + dt.timedelta(days=1)  # day 91: late
    for system in _take(normal, SYSTEMS_LOW_OBSERVED_RETENTION):
        system.observed_retention_days = rng.randint(7, 25)
    notified = _take(normal, REMOVALS_NOTIFIED_PROPER + REMOVALS_NOTIFIED_SHORT)
    for k, system in enumerate(notified):
        system.state = S.REMOVAL_NOTIFIED
        system.removal_notice_date = today - dt.timedelta(days=rng.randint(1, 10))
        gap = 2 if k >= REMOVALS_NOTIFIED_PROPER else rng.randint(7, 45)
        system.planned_removal_date = system.removal_notice_date + dt.timedelta(days=gap)

    # Extra systems: removed predecessors (Art. 15) and expansions in progress.
    removals = (
        ["proper"] * REMOVALS_PROPER
        + ["none"] * REMOVALS_WITHOUT_NOTICE
        + ["short"] * REMOVALS_SHORT_NOTICE
    )
    chosen = rng.sample(covered_sites, k=len(removals) + EXPANSIONS)
    for kind, site_index in zip(removals, chosen, strict=False):
        old = p.system(site_index, suffix="（旧系统）")
        old.acceptance_date = _day(rng, dt.date(2017, 1, 10), dt.date(2019, 12, 31))
        old.commissioned_on = old.acceptance_date + dt.timedelta(days=rng.randint(1, 15))
        old.state, old.in_operation, old.observed_retention_days = S.REMOVED, False, None
        old.removed_on = _day(rng, dt.date(2020, 3, 1), today - dt.timedelta(days=30))
        if kind != "none":
            gap = rng.randint(3, 30) if kind == "proper" else rng.randint(1, 2)
            old.removal_notice_date = old.removed_on - dt.timedelta(days=gap)
            old.planned_removal_date = old.removed_on
        p.add_system(old, 0)
    stages = itertools.cycle((S.PLANNED, S.BUILDING, S.ACCEPTANCE_PENDING, S.BUILDING))
    for k, site_index in enumerate(chosen[len(removals) :]):
        extra = p.system(site_index, suffix="（二期）")
        stage = next(stages)
        if k < 2:
            p.failed_acceptance(extra)
        else:
            p.not_accepted(extra, stage)
        extra.signage_present = stage is S.ACCEPTANCE_PENDING
        count = {S.PLANNED: 0, S.BUILDING: rng.randint(0, 3)}.get(stage, rng.randint(2, 5))
        p.add_system(extra, count)

    # A few cameras get a password, stored encrypted by the camera service.
    registry_cameras = [
        (s, i) for s in p.systems if not s.legacy_survey for i in range(len(s.cameras))
    ]
    for system, i in rng.sample(registry_cameras, k=CAMERAS_WITH_PASSWORD):
        system.cameras[i] = replace(
            system.cameras[i], username="admin", password=f"demo-{rng.randrange(10**8):08d}"
        )

    planted = {
        "art8_mandatory_site_uncovered": len(no_system) + len(not_accepted) + len(only_other),
        "art9_privacy_site_camera": sum(len(s.cameras) for s in p.systems if s.legacy_survey),
        "art10_no_signage": SYSTEMS_WITHOUT_SIGNAGE,
        "art13_used_before_acceptance": SYSTEMS_USED_BEFORE_ACCEPTANCE,
        "art13_legacy_not_filed": LEGACY_NOT_FILED + LEGACY_FILED_LATE,
        "art15_removal_notice": REMOVALS_WITHOUT_NOTICE
        + REMOVALS_SHORT_NOTICE
        + REMOVALS_NOTIFIED_SHORT,
        "art17_4_retention_below_30": SYSTEMS_LOW_OBSERVED_RETENTION,
    }
    return Plan(
        units=p.units,
        sites=p.sites,
        systems=p.systems,
        planted=planted,
        demo_unit=demo_unit,
        demo_maintainer=demo_maintainer,
    )
