"""Closed vocabularies of the registry, with the article each one comes from."""

from __future__ import annotations

import enum


class UnitKind(enum.StrEnum):
    GOVERNMENT = "government"
    NON_GOVERNMENT = "non_government"


class SiteCategory(enum.StrEnum):
    """Art. 8 (1)-(11) mandatory places, Art. 9 forbidden privacy places, or other."""

    ART8_1 = "art8_1"  # state organs, major news media
    ART8_2 = "art8_2"  # transport hubs, roads, bridges, tunnels, metro, vehicles/vessels
    ART8_3 = "art8_3"  # energy, water, power, fuel, gas
    ART8_4 = "art8_4"  # telecom, postal, financial
    ART8_5 = "art8_5"  # education, research, medical, venues, internet cafés
    ART8_6 = "art8_6"  # museums, archives, cultural relics
    ART8_7 = "art8_7"  # commercial/logistics centres, squares, car parks, parks, scenic spots
    ART8_8 = "art8_8"  # dangerous goods, pathogens
    ART8_9 = "art8_9"  # defence industry, national key construction
    ART8_10 = "art8_10"  # residential communities
    ART8_11 = "art8_11"  # others required by law
    ART9_DORMITORY = "art9_dormitory"
    ART9_HOTEL_ROOM = "art9_hotel_room"
    ART9_BATHHOUSE = "art9_bathhouse"
    ART9_CHANGING_ROOM = "art9_changing_room"
    ART9_TOILET = "art9_toilet"
    OTHER = "other"

    @property
    def is_mandatory(self) -> bool:
        """Art. 8: the place must have a system at its entrances, passages and key spots."""
        return self.value.startswith("art8_")

    @property
    def is_privacy(self) -> bool:
        """Art. 9: installing a system here is forbidden."""
        return self.value.startswith("art9_")


MANDATORY_CATEGORIES = tuple(c for c in SiteCategory if c.is_mandatory)
PRIVACY_CATEGORIES = tuple(c for c in SiteCategory if c.is_privacy)


class Investment(enum.StrEnum):
    """Art. 14, 16: who paid decides networking and maintenance duties."""

    GOVERNMENT = "government"
    NON_GOVERNMENT = "non_government"


class LifecycleState(enum.StrEnum):
    """Art. 13 and 15: planned → building → acceptance pending → accepted → removal notified
    → removed."""

    PLANNED = "planned"
    BUILDING = "building"
    ACCEPTANCE_PENDING = "acceptance_pending"
    ACCEPTED = "accepted"
    REMOVAL_NOTIFIED = "removal_notified"
    REMOVED = "removed"


class AcceptanceResult(enum.StrEnum):
    PASSED = "passed"
    FAILED = "failed"


class CameraRole(enum.StrEnum):
    """Art. 8: where at the site the camera looks."""

    ENTRANCE = "entrance"
    PASSAGE = "passage"
    KEY_SPOT = "key_spot"
    OTHER = "other"


COVERING_ROLES = (CameraRole.ENTRANCE, CameraRole.PASSAGE, CameraRole.KEY_SPOT)


class NetworkInterface(enum.StrEnum):
    """Art. 14: the standard interface reserved or used for networking."""

    GB28181 = "gb28181"
    ONVIF = "onvif"
    RTSP = "rtsp"
    NONE = "none"
