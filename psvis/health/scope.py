"""Who sees which cameras' health and which tickets: the policy table as SQL.

``Resource.HEALTH`` is about cameras (police by the camera's jurisdiction, unit staff
their own units' cameras, maintainers the systems they maintain); ``Resource.TICKET``
about tickets (the same, by the ticket's copied jurisdiction and units — a maintainer
works the tickets routed to its unit, Art. 16).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select, true

from psvis.auth.policy import Action, Reach, Resource
from psvis.auth.principal import Principal
from psvis.health.models import Ticket
from psvis.registry.models import Camera, System


def cameras(principal: Principal, action: Action = Action.READ) -> ColumnElement[bool]:
    """WHERE clause over ``camera`` for the cameras whose health the principal reaches
    (:class:`~psvis.core.errors.Forbidden` when the role may not at all)."""
    reach = principal.reach(Resource.HEALTH, action)
    if reach is Reach.ALL:
        return true()
    if reach is Reach.JURISDICTION:
        codes = principal.covered_codes
        return Camera.jurisdiction_code.in_(codes) if codes else false()
    units = principal.unit_ids
    if not units:
        return false()
    if reach is Reach.MAINTAINED:
        systems = select(System.id).where(System.maintainer_unit_id.in_(units))
    else:
        systems = select(System.id).where(
            or_(System.user_unit_id.in_(units), System.builder_unit_id.in_(units))
        )
    return Camera.system_id.in_(systems)


def tickets(principal: Principal, action: Action = Action.READ) -> ColumnElement[bool]:
    """WHERE clause over ``health_ticket`` for the tickets the principal reaches."""
    reach = principal.reach(Resource.TICKET, action)
    if reach is Reach.ALL:
        return true()
    if reach is Reach.JURISDICTION:
        codes = principal.covered_codes
        return Ticket.jurisdiction_code.in_(codes) if codes else false()
    units = principal.unit_ids
    if not units:
        return false()
    if reach is Reach.MAINTAINED:
        return Ticket.maintainer_unit_id.in_(units)
    return or_(Ticket.user_unit_id.in_(units), Ticket.maintainer_unit_id.in_(units))
