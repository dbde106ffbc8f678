"""Registry files for import tests: a small valid dataset and writers for XLSX and CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from psvis.auth import service as auth_service
from psvis.auth.policy import Role
from psvis.auth.principal import Principal
from psvis.registry.codes import make_gb_id
from psvis.registry.importer import ImportReport
from psvis.registry.models import Camera, Site, System, Unit
from tests.support.factories import Registry, credit_code

Rows = list[dict[str, Any]]
Importer = Callable[..., ImportReport]
CAMERA_PASSWORD = "Xq7!camera-secret-2024"
URL_PASSWORD = "url-secret-9f3"


def gb(serial: int, *, division: str = "360102", type_code: str = "132") -> str:
    return make_gb_id(division=division, type_code=type_code, serial=serial)


def dataset(*, division: str = "360102", prefix: str = "A") -> dict[str, Rows]:
    """Two units, two sites, one accepted system, two cameras (one with a password, one
    with credentials in its stream URL). Refs and serials vary with ``prefix``."""
    u1, u2 = credit_code(division), credit_code(division)
    serial = 1000 * (ord(prefix[0]) - ord("A") + 1)
    return {
        "units": [
            {
                "name": "南昌银行东湖支行",
                "credit_code": u1,
                "kind": "non_government",
                "jurisdiction_code": division,
                "address": "八一大道1号",
                "contact_name": "李四",
                "contact_phone": "0791-86000000",
            },
            {
                "name": "安防维保公司",
                "credit_code": u2,
                "kind": "non_government",
                "jurisdiction_code": division,
            },
        ],
        "sites": [
            {
                "ref": f"{prefix}-S1",
                "name": "东湖支行营业厅",
                "address": "八一大道1号",
                "lat": 28.6812,
                "lon": 115.9021,
                "category": "art8_4",
                "responsible_unit_credit_code": u1,
                "jurisdiction_code": division,
            },
            {
                "ref": f"{prefix}-S2",
                "name": "支行员工卫生间",
                "lat": 28.6813,
                "lon": 115.9022,
                "category": "art9_toilet",
                "responsible_unit_credit_code": u1,
                "jurisdiction_code": division,
            },
        ],
        "systems": [
            {
                "ref": f"{prefix}-SYS1",
                "name": "营业厅监控系统",
                "site_ref": f"{prefix}-S1",
                "builder_unit_credit_code": u1,
                "user_unit_credit_code": u1,
                "maintainer_unit_credit_code": u2,
                "maintenance_contract": "WB-2024-01",
                "investment": "non_government",
                "signage_present": True,
                "network_interface": "gb28181",
                "retention_days": 90,
                "state": "accepted",
                "in_operation": True,
                "commissioned_on": "2024-05-02",
                "acceptance_police_participant": "张警官",
                "acceptance_date": "2024-05-01",
                "acceptance_result": "passed",
            },
        ],
        "cameras": [
            {
                "gb_id": gb(serial + 1, division=division),
                "name": "营业厅入口",
                "system_ref": f"{prefix}-SYS1",
                "lat": 28.68121,
                "lon": 115.90211,
                "azimuth_deg": 135.5,
                "fov_deg": 80,
                "range_m": 25,
                "role": "entrance",
                "stream_url": "rtsp://10.1.2.3:554/ch1",
                "username": "admin",
                "password": CAMERA_PASSWORD,
                "retention_days": 60,
            },
            {
                "gb_id": gb(serial + 2, division=division),
                "name": "金库通道",
                "system_ref": f"{prefix}-SYS1",
                "lat": 28.6813,
                "lon": 115.9023,
                "role": "key_spot",
                "stream_url": f"rtsp://viewer:{URL_PASSWORD}@10.1.2.4:554/ch1",
                "enabled": False,
            },
        ],
    }


def art9_camera(data: Mapping[str, Rows], *, prefix: str = "A", serial: int = 999) -> Rows:
    """A system at the toilet site and a camera in it (Art. 9)."""
    unit = data["units"][0]["credit_code"]
    data["systems"].append(
        {
            "ref": f"{prefix}-SYS9",
            "name": "卫生间系统",
            "site_ref": f"{prefix}-S2",
            "builder_unit_credit_code": unit,
            "user_unit_credit_code": unit,
            "maintainer_unit_credit_code": unit,
            "investment": "non_government",
        }
    )
    row = {
        "gb_id": gb(serial),
        "name": "卫生间摄像机",
        "system_ref": f"{prefix}-SYS9",
        "lat": 28.6813,
        "lon": 115.9022,
        "role": "other",
    }
    data["cameras"].append(row)
    return data["cameras"]


def columns_of(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    names: list[str] = []
    for row in rows:
        names += [k for k in row if k not in names]
    return names


def xlsx(sheets: Mapping[str, Rows], *, columns: Mapping[str, list[str]] | None = None) -> bytes:
    """A workbook with one sheet per entry (header from the rows' keys unless given)."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        header = (columns or {}).get(name) or columns_of(rows)
        sheet.append(header)
        for row in rows:
            sheet.append([row.get(c) for c in header])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: Rows, *, encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=columns_of(rows))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def counts(session: Session) -> dict[str, int]:
    return {
        model.__tablename__: int(session.scalar(select(func.count()).select_from(model)) or 0)
        for model in (Unit, Site, System, Camera)
    }


EMPTY = {"unit": 0, "site": 0, "system": 0, "camera": 0}


def only_error(report: ImportReport) -> tuple[str, int, str, str]:
    assert not report.ok
    assert not report.imported
    assert len(report.errors) == 1, [e.line() for e in report.errors]
    e = report.errors[0]
    return e.sheet, e.row, e.column, e.message


def district_admin(registry: Registry, jurisdiction: str) -> Principal:
    user = registry.user(role=Role.DISTRICT_ADMIN, jurisdiction=jurisdiction)
    return auth_service.principal_for(registry.session, user=user)
