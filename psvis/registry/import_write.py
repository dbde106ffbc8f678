"""Writing a checked file: bulk core inserts, in dependency order, in the caller's
transaction.

Rows reach here only when every row of the file passed, so this module decides nothing:
it turns natural keys into the ids just written (``INSERT … RETURNING`` in parameter
order), copies each system's and camera's jurisdiction from its site (as the services
do), and encrypts camera passwords. One ``executemany`` per chunk keeps 100,000 cameras
to seconds instead of the minutes ORM objects would take.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, cast

from pydantic import SecretStr
from sqlalchemy import Table, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from psvis.core.errors import Conflict
from psvis.core.secrets import SecretBox
from psvis.core.timeutil import utcnow
from psvis.registry.file_columns import Kind
from psvis.registry.import_checks import Target, key_of
from psvis.registry.import_rows import Candidate
from psvis.registry.models import Camera, Site, System, Unit

CHUNK: Final = 5000
TABLES: Final[dict[Kind, Table]] = {
    "units": cast(Table, Unit.__table__),
    "sites": cast(Table, Site.__table__),
    "systems": cast(Table, System.__table__),
    "cameras": cast(Table, Camera.__table__),
}
ORIGIN_REGISTRY: Final = "registry"
ORIGIN_LEGACY_SURVEY: Final = "legacy_survey"


def write(
    session: Session,
    *,
    parsed: dict[Kind, list[Candidate]],
    targets: dict[Kind, dict[str, Target]],
    box: SecretBox,
    legacy_survey: bool,
    on_rows: Callable[[int], object],
) -> None:
    """Insert every candidate. A clash with rows written meanwhile by someone else is a
    :class:`Conflict` and the transaction is rolled back: still nothing imported."""
    stamp = {"created_at": utcnow(), "updated_at": utcnow()}
    origin = ORIGIN_LEGACY_SURVEY if legacy_survey else ORIGIN_REGISTRY

    def unit_id(c: Candidate, column: str) -> int | None:
        return _id(targets["units"], key_of("units", c.refs[column]))

    try:
        rows = parsed.get("units", [])
        _insert(session, "units", [{**c.values, **stamp} for c in rows], targets, rows, on_rows)
        rows = parsed.get("sites", [])
        data = [
            {
                **c.values,
                **stamp,
                "responsible_unit_id": unit_id(c, "responsible_unit_credit_code"),
            }
            for c in rows
        ]
        _insert(session, "sites", data, targets, rows, on_rows)
        rows = parsed.get("systems", [])
        data = []
        for c in rows:
            site = targets["sites"][key_of("sites", c.refs["site_ref"])]
            data.append(
                {
                    **c.values,
                    **stamp,
                    "site_id": site.db_id,
                    "jurisdiction_code": site.jurisdiction_code,
                    "builder_unit_id": unit_id(c, "builder_unit_credit_code"),
                    "user_unit_id": unit_id(c, "user_unit_credit_code"),
                    "maintainer_unit_id": unit_id(c, "maintainer_unit_credit_code"),
                }
            )
        _insert(session, "systems", data, targets, rows, on_rows)
        rows = parsed.get("cameras", [])
        data = [_camera(c, targets["systems"], box, origin, stamp) for c in rows]
        _insert(session, "cameras", data, targets, rows, on_rows)
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict(
            "the registry changed while importing (a key was taken meanwhile); nothing was "
            f"imported, try again ({exc.orig.__class__.__name__})"
        ) from exc


def _id(found: dict[str, Target], key: str) -> int | None:
    return found[key].db_id


def _camera(
    c: Candidate,
    systems: dict[str, Target],
    box: SecretBox,
    origin: str,
    stamp: dict[str, Any],
) -> dict[str, Any]:
    values = dict(c.values)
    secret: SecretStr | None = values.pop("password", None)
    from_url: str | None = values.pop("password_from_url", None)
    password = secret.get_secret_value() if secret is not None else from_url or ""
    system = systems[key_of("systems", c.refs["system_ref"])]
    return {
        **values,
        **stamp,
        "system_id": system.db_id,
        "jurisdiction_code": system.jurisdiction_code,
        "password_encrypted": box.encrypt(password) if password else "",
        "origin": origin,
    }


def _insert(
    session: Session,
    kind: Kind,
    data: list[dict[str, Any]],
    targets: dict[Kind, dict[str, Target]],
    rows: list[Candidate],
    on_rows: Callable[[int], object],
) -> None:
    """Insert ``data`` in chunks; record the new ids on the targets others refer to."""
    table = TABLES[kind]
    key_field = "credit_code" if kind == "units" else "ref"
    wants_ids = kind != "cameras"
    for start in range(0, len(data), CHUNK):
        chunk = data[start : start + CHUNK]
        if wants_ids:
            stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
            ids = list(session.scalars(stmt, chunk))
            for c, new_id in zip(rows[start : start + CHUNK], ids, strict=True):
                key = c.values.get(key_field)
                target = targets[kind].get(key_of(kind, key)) if key is not None else None
                if target is not None and target.in_file and target.db_id is None:
                    target.db_id = new_id
        else:
            session.execute(insert(table), chunk)
        on_rows(len(chunk))
