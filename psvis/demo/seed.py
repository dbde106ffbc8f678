"""Write the synthetic Nanchang dataset into a migrated database.

    with ctx.session() as session:
        summary = seed(session, box=ctx.box)

Units, sites, systems and cameras go through the registry services as the installation
operator, so every row passes the same validation as the API (credit codes, GB/T 28181
IDs, lifecycle facts, retention, encrypted camera passwords). The one exception is the
cameras a legacy survey found at Art. 9 privacy sites: the camera service refuses to
register a camera there (that refusal is the point of Art. 9), yet such installations
exist and must show up as findings, so they are inserted directly with
``origin="legacy_survey"`` after the same GB/T 28181 ID check the service applies.

The caller commits; :func:`psvis.demo.run.run_demo` seeds only an empty registry.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session

from psvis.auth.principal import Principal
from psvis.cli.context import operator_principal
from psvis.core.secrets import SecretBox
from psvis.core.timeutil import today_china
from psvis.custody import sharing
from psvis.demo.plan import CameraPlan, Plan, build_plan
from psvis.registry import cameras, service, systems
from psvis.registry.codes import gb_id_problems
from psvis.registry.enums import Investment, NetworkInterface
from psvis.registry.models import Camera, Jurisdiction, Site, System
from psvis.registry.schemas import CameraCreate, SiteCreate, SystemCreate, UnitCreate

CAMERA_TYPE_CODES = ("131", "132")


@dataclass(frozen=True, slots=True)
class SeedSummary:
    """What was written, and the breaches planted on purpose (per finding rule)."""

    units: int
    sites: int
    systems: int
    cameras: int
    legacy_survey_cameras: int
    cameras_with_password: int
    planted: dict[str, int]
    #: Unit whose staff get the demo unit logins, and the demo maintenance company.
    demo_unit_id: int
    demo_maintainer_id: int
    seconds: float
    #: Government systems networked for the city police (Art. 14).
    networked_systems: int = 0


def district_table(session: Session) -> dict[str, tuple[str, float, float]]:
    """District code → (name, centre lat, centre lon), from the jurisdiction tree."""
    rows = session.execute(
        select(Jurisdiction.code, Jurisdiction.name, Jurisdiction.lat, Jurisdiction.lon).where(
            Jurisdiction.level == "district"
        )
    )
    return {code: (name, lat, lon) for code, name, lat, lon in rows}


def seed(
    session: Session, *, box: SecretBox, rng_seed: int = 2016, today: dt.date | None = None
) -> SeedSummary:
    """Seed the registry with the dataset for ``rng_seed`` (deterministic for a seed and
    ``today``, which defaults to today's date in China and anchors recent dates)."""
    started = time.perf_counter()
    plan = build_plan(
        rng_seed=rng_seed, districts=district_table(session), today=today or today_china()
    )
    unit_ids, sites = _write_units_and_sites(session, plan)
    # ``sites`` stays referenced so the camera service finds each site in the session's
    # identity map instead of selecting it again for every camera.
    site_ids = [site.id for site in sites]
    operator = operator_principal(session)
    written = surveyed = with_password = 0
    for system_plan in plan.systems:
        system = systems.create_system(
            session,
            principal=operator,
            data=SystemCreate.model_validate(
                system_plan.create_fields(site_id=site_ids[system_plan.site], unit_ids=unit_ids)
            ),
        )
        for camera in system_plan.cameras:
            if system_plan.legacy_survey:
                _record_surveyed_camera(session, system, camera)
                surveyed += 1
                continue
            cameras.create_camera(
                session,
                principal=operator,
                data=_camera_create(camera, system.id),
                box=box,
                camera_type_codes=CAMERA_TYPE_CODES,
            )
            with_password += camera.password is not None
            written += 1
    session.flush()
    networked = _network_government_systems(session, operator=operator)
    return SeedSummary(
        units=len(plan.units),
        sites=len(plan.sites),
        systems=len(plan.systems),
        cameras=written + surveyed,
        legacy_survey_cameras=surveyed,
        cameras_with_password=with_password,
        planted=dict(plan.planted),
        demo_unit_id=unit_ids[plan.demo_unit],
        demo_maintainer_id=unit_ids[plan.demo_maintainer],
        seconds=time.perf_counter() - started,
        networked_systems=networked,
    )


def _network_government_systems(session: Session, *, operator: Principal) -> int:
    """Art. 14: the city police network the government systems in operation that expose a
    GB/T 28181 interface, for every police officer of the city. Police watch the others'
    cameras live only as direct use through an approved request (Art. 18)."""
    root = session.scalar(select(Jurisdiction.code).where(Jurisdiction.parent_code.is_(None)))
    if root is None:
        return 0
    ids = session.scalars(
        select(System.id)
        .where(
            System.investment == Investment.GOVERNMENT,
            System.in_operation.is_(True),
            System.network_interface == NetworkInterface.GB28181,
        )
        .order_by(System.id)
    ).all()
    for system_id in ids:
        sharing.grant(
            session,
            principal=operator,
            system_id=system_id,
            bureau_code=root,
            agreement="南昌市公共安全视频图像信息系统联网共享协议（演示）",
        )
    return len(ids)


def _write_units_and_sites(session: Session, plan: Plan) -> tuple[list[int], list[Site]]:
    operator = operator_principal(session)
    unit_ids = [
        service.create_unit(
            session,
            principal=operator,
            data=UnitCreate(
                name=u.name,
                credit_code=u.credit_code,
                kind=u.kind,
                jurisdiction_code=u.district,
                address=u.address,
                contact_name=u.contact_name,
                contact_phone=u.contact_phone,
            ),
        ).id
        for u in plan.units
    ]
    sites = [
        service.create_site(
            session,
            principal=operator,
            data=SiteCreate(
                ref=s.ref,
                name=s.name,
                address=s.address,
                lat=s.lat,
                lon=s.lon,
                category=s.category,
                responsible_unit_id=unit_ids[s.unit],
                jurisdiction_code=s.district,
            ),
        )
        for s in plan.sites
    ]
    return unit_ids, sites


def _camera_create(camera: CameraPlan, system_id: int) -> CameraCreate:
    return CameraCreate(
        gb_id=camera.gb_id,
        name=camera.name,
        system_id=system_id,
        lat=camera.lat,
        lon=camera.lon,
        azimuth_deg=camera.azimuth_deg,
        fov_deg=camera.fov_deg,
        range_m=camera.range_m,
        role=camera.role,
        stream_url=camera.stream_url,
        username=camera.username,
        password=SecretStr(camera.password) if camera.password else None,
        retention_days=camera.retention_days,
        enabled=camera.enabled,
    )


def _record_surveyed_camera(session: Session, system: System, camera: CameraPlan) -> None:
    """Record a camera found installed at an Art. 9 privacy site (see the module docstring:
    the service refuses it by design; the compliance check turns it into a finding)."""
    problems = gb_id_problems(
        camera.gb_id,
        jurisdiction_codes=(system.jurisdiction_code,),
        camera_type_codes=CAMERA_TYPE_CODES,
    )
    if problems:
        raise ValueError(f"surveyed camera {camera.gb_id}: {'; '.join(problems)}")
    session.add(
        Camera(
            gb_id=camera.gb_id,
            name=camera.name,
            system_id=system.id,
            jurisdiction_code=system.jurisdiction_code,
            lat=camera.lat,
            lon=camera.lon,
            azimuth_deg=camera.azimuth_deg,
            fov_deg=camera.fov_deg,
            range_m=camera.range_m,
            role=camera.role,
            stream_url=camera.stream_url,
            enabled=camera.enabled,
            origin="legacy_survey",
        )
    )
