"""Names of related objects for links, looked up through the scoped services.

A related object outside the viewer's reach (a maintainer may not see the builder unit)
has no name here; the template then shows its id without a link.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from sqlalchemy.orm import Session

from psvis.auth.principal import Principal
from psvis.core.errors import NotFound
from psvis.registry import cameras, service, systems

T = TypeVar("T")


def _names(
    ids: Iterable[int | None], fetch: Callable[[int], T], name: Callable[[T], str]
) -> dict[int, str]:
    found: dict[int, str] = {}
    for object_id in sorted({i for i in ids if i is not None}):
        try:
            found[object_id] = name(fetch(object_id))
        except NotFound:
            continue
    return found


def unit_names(session: Session, principal: Principal, ids: Iterable[int | None]) -> dict[int, str]:
    return _names(
        ids,
        lambda i: service.get_unit(session, principal=principal, unit_id=i),
        lambda u: u.name,
    )


def site_names(session: Session, principal: Principal, ids: Iterable[int | None]) -> dict[int, str]:
    return _names(
        ids,
        lambda i: service.get_site(session, principal=principal, site_id=i),
        lambda s: s.name,
    )


def system_names(
    session: Session, principal: Principal, ids: Iterable[int | None]
) -> dict[int, str]:
    return _names(
        ids,
        lambda i: systems.get_system(session, principal=principal, system_id=i),
        lambda s: s.name,
    )


def camera_names(
    session: Session, principal: Principal, ids: Iterable[int | None]
) -> dict[int, str]:
    return _names(
        ids,
        lambda i: cameras.get_camera(session, principal=principal, camera_id=i),
        lambda c: c.name,
    )
