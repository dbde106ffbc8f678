"""Jurisdiction and unit scoping as SQL: every registry query passes through here.

:func:`where` turns a principal's reach for (resource, action) into a WHERE clause on
the resource's table, so a list, a count, a lookup by id and an export all see exactly
the same rows.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select, true

from psvis.auth.policy import Action, Reach, Resource
from psvis.auth.principal import Principal
from psvis.compliance.models import Finding
from psvis.registry.models import Camera, Site, System, Unit


def _systems_of_units(unit_ids: frozenset[int], *, maintained: bool) -> ColumnElement[bool]:
    if maintained:
        return System.maintainer_unit_id.in_(unit_ids)
    return or_(System.user_unit_id.in_(unit_ids), System.builder_unit_id.in_(unit_ids))


def where(principal: Principal, resource: Resource, action: Action) -> ColumnElement[bool]:
    """WHERE clause selecting the rows of ``resource`` the principal reaches for ``action``.

    Raises :class:`~psvis.core.errors.Forbidden` if the role may not do ``action`` at all.
    """
    reach = principal.reach(resource, action)
    if reach is Reach.ALL:
        return true()
    if reach is Reach.JURISDICTION:
        codes = principal.covered_codes
        table = {
            Resource.UNIT: Unit.jurisdiction_code,
            Resource.SITE: Site.jurisdiction_code,
            Resource.SYSTEM: System.jurisdiction_code,
            Resource.CAMERA: Camera.jurisdiction_code,
            Resource.FOOTAGE: Camera.jurisdiction_code,
            Resource.FINDING: Finding.jurisdiction_code,
        }.get(resource)
        return table.in_(codes) if table is not None and codes else false()
    units = principal.unit_ids
    if not units:
        return false()
    maintained = reach is Reach.MAINTAINED
    systems = select(System.id).where(_systems_of_units(units, maintained=maintained))
    if resource is Resource.UNIT:
        return Unit.id.in_(units)
    if resource is Resource.SYSTEM:
        return _systems_of_units(units, maintained=maintained)
    if resource in (Resource.CAMERA, Resource.FOOTAGE):  # footage is scoped by its camera
        return Camera.system_id.in_(systems)
    if resource is Resource.SITE:
        sites = select(System.site_id).where(_systems_of_units(units, maintained=maintained))
        if maintained:
            return Site.id.in_(sites)
        return or_(Site.responsible_unit_id.in_(units), Site.id.in_(sites))
    if resource is Resource.FINDING:
        return Finding.unit_id.in_(units)
    return false()
