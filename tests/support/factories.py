"""Building registry objects for tests through the real services (no raw inserts)."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

from sqlalchemy.orm import Session

from psvis.auth import service as auth_service
from psvis.auth.models import User
from psvis.auth.policy import Role
from psvis.auth.principal import Principal
from psvis.cli.context import operator_principal
from psvis.core.secrets import SecretBox
from psvis.custody import sharing
from psvis.custody.models import SharingGrant
from psvis.registry import cameras, service, systems
from psvis.registry.codes import credit_check_character, make_gb_id
from psvis.registry.enums import (
    AcceptanceResult,
    CameraRole,
    Investment,
    LifecycleState,
    SiteCategory,
    UnitKind,
)
from psvis.registry.models import Camera, Site, System, Unit
from psvis.registry.schemas import CameraCreate, SiteCreate, SystemCreate, UnitCreate

PASSWORD = "correct horse battery staple"
_serial = itertools.count(1)


def credit_code(division: str = "360102", body: str | None = None) -> str:
    """A valid unified social credit code in ``division``."""
    n = next(_serial)
    first17 = f"91{division}{body or f'MA{n:07d}'}"[:17]
    return first17 + credit_check_character(first17)


@dataclass
class Registry:
    """Creates objects as the installation operator (full reach)."""

    session: Session
    box: SecretBox

    @property
    def operator(self) -> Principal:
        return operator_principal(self.session)

    def unit(
        self,
        *,
        jurisdiction: str = "360102",
        kind: UnitKind = UnitKind.NON_GOVERNMENT,
        name: str | None = None,
    ) -> Unit:
        return service.create_unit(
            self.session,
            principal=self.operator,
            data=UnitCreate(
                name=name or f"单位{next(_serial)}",
                credit_code=credit_code(jurisdiction),
                kind=kind,
                jurisdiction_code=jurisdiction,
            ),
        )

    def site(
        self,
        *,
        unit: Unit,
        category: SiteCategory = SiteCategory.ART8_4,
        jurisdiction: str | None = None,
    ) -> Site:
        return service.create_site(
            self.session,
            principal=self.operator,
            data=SiteCreate(
                name=f"场所{next(_serial)}",
                lat=28.68,
                lon=115.9,
                category=category,
                responsible_unit_id=unit.id,
                jurisdiction_code=jurisdiction or unit.jurisdiction_code,
            ),
        )

    def system(
        self,
        *,
        site: Site,
        unit: Unit,
        accepted: bool = True,
        signage: bool = True,
        **overrides: object,
    ) -> System:
        fields: dict[str, object] = {
            "name": f"系统{next(_serial)}",
            "site_id": site.id,
            "builder_unit_id": unit.id,
            "user_unit_id": unit.id,
            "maintainer_unit_id": unit.id,
            "investment": Investment.NON_GOVERNMENT,
            "signage_present": signage,
            "retention_days": 30,
        }
        if accepted:
            fields |= {
                "state": LifecycleState.ACCEPTED,
                "in_operation": True,
                "acceptance_police_participant": "张警官",
                "acceptance_date": dt.date(2024, 5, 1),
                "acceptance_result": AcceptanceResult.PASSED,
                "commissioned_on": dt.date(2024, 5, 2),
            }
        fields |= overrides
        return systems.create_system(
            self.session, principal=self.operator, data=SystemCreate.model_validate(fields)
        )

    def camera(
        self,
        *,
        system: System,
        role: CameraRole = CameraRole.ENTRANCE,
        type_code: str = "132",
        **overrides: object,
    ) -> Camera:
        fields: dict[str, object] = {
            "gb_id": make_gb_id(
                division=system.jurisdiction_code, type_code=type_code, serial=next(_serial)
            ),
            "name": f"摄像机{next(_serial)}",
            "system_id": system.id,
            "lat": 28.68,
            "lon": 115.9,
            "role": role,
        }
        fields |= overrides
        return cameras.create_camera(
            self.session,
            principal=self.operator,
            data=CameraCreate.model_validate(fields),
            box=self.box,
            camera_type_codes=("131", "132"),
        )

    def covered_site(
        self, *, jurisdiction: str = "360102", networked: bool = False
    ) -> tuple[Unit, Site, System, Camera]:
        """A unit, its site, system and one camera; ``networked``: a government system
        shared with the police of its jurisdiction (Art. 14: police watch it live without
        a request)."""
        unit = self.unit(jurisdiction=jurisdiction)
        site = self.site(unit=unit)
        system = self.system(site=site, unit=unit)
        if networked:
            self.networked(system)
        camera = self.camera(system=system)
        return unit, site, system, camera

    def networked(self, system: System, *, bureau: str | None = None) -> SharingGrant:
        """Make ``system`` government-funded and network it for ``bureau`` (default: the
        police of its own jurisdiction), as the city police do under Art. 14."""
        system.investment = Investment.GOVERNMENT
        self.session.flush()
        return sharing.grant(
            self.session,
            principal=self.operator,
            system_id=system.id,
            bureau_code=bureau or system.jurisdiction_code,
            agreement="联网共享协议（测试）",
        )

    def user(
        self,
        *,
        role: Role,
        jurisdiction: str | None = None,
        units: tuple[int, ...] = (),
        username: str | None = None,
        work_id: str = "",
    ) -> User:
        return auth_service.create_user(
            self.session,
            username=username or f"u{next(_serial)}",
            password=PASSWORD,
            role=role,
            jurisdiction_code=jurisdiction,
            unit_ids=units,
            work_id=work_id,
            department="市场监管局" if role is Role.OTHER_DEPT else "",
        )
