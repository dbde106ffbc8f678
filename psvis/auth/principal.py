"""The signed-in caller, as every service sees it."""

from __future__ import annotations

from dataclasses import dataclass

from psvis.auth.policy import Action, Reach, Resource, Role, reach_of
from psvis.core.errors import Forbidden


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling, and what they reach: a jurisdiction subtree and/or units."""

    user_id: int
    username: str
    role: Role
    jurisdiction_code: str | None
    #: The user's jurisdiction and all its descendants (empty for unit staff).
    covered_codes: frozenset[str]
    #: Units a unit-staff user belongs to (empty for police).
    unit_ids: frozenset[int]
    work_id: str = ""
    display_name: str = ""

    def reach(self, resource: Resource, action: Action) -> Reach:
        """The reach for an action, or :class:`Forbidden` if the role may not do it."""
        reach = reach_of(self.role, resource, action)
        if reach is None:
            raise Forbidden(
                f"role {self.role.value} may not {action.value} {resource.value}",
                details={
                    "role": self.role.value,
                    "resource": resource.value,
                    "action": action.value,
                },
            )
        return reach

    def may(self, resource: Resource, action: Action) -> bool:
        return reach_of(self.role, resource, action) is not None

    def covers(self, jurisdiction_code: str) -> bool:
        return jurisdiction_code in self.covered_codes
