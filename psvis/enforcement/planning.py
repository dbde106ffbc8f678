"""Art. 7: "充分利用现有视频信息资源，避免重复建设" — a planned camera point whose field
of view is already largely covered by existing cameras duplicates them; and Art. 8:
which covering roles (entrance, passage, key spot) a mandatory site still lacks.

Pure geometry (shapely), no database: each camera's field of view is a sector — apex at
its position, opening ``fov_deg`` around ``azimuth_deg`` (clockwise from north), radius
``range_m`` — drawn in a local plane in metres around the planned point (equirectangular:
at city scale, ranges of tens of metres, the error is far below a camera's accuracy).
:func:`duplicate_coverage` gives the share of the planned sector that existing sectors
already cover and a :class:`~psvis.compliance.rules.Decision` citing Art. 7 when the
share reaches the threshold.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Final

# shapely ships no type stubs (types-shapely is not a dependency): its objects are Any here.
from shapely import Polygon, unary_union  # type: ignore[import-untyped]

from psvis.compliance.rules import Decision
from psvis.registry.enums import COVERING_ROLES, CameraRole, SiteCategory

#: Share of a planned field of view already covered that makes it a duplicate (a
#: deployment may set its own; the regulation gives no number).
DEFAULT_THRESHOLD: Final = 0.5
#: Metres per degree of latitude, and of longitude at the equator (WGS 84, mean).
M_PER_DEG_LAT: Final = 110_574.0
M_PER_DEG_LON: Final = 111_320.0
#: Arc vertices per full circle: a 90° sector gets 32, enough for areas within 0.1 %.
ARC_STEPS: Final = 128


@dataclass(frozen=True, slots=True)
class View:
    """A camera's (or planned point's) position and field of view."""

    id: int | None
    lat: float
    lon: float
    azimuth_deg: float
    fov_deg: float
    range_m: float


def sector(view: View, *, origin: tuple[float, float]) -> Polygon:
    """The field of view as a polygon in metres east/north of ``origin`` (lat, lon)."""
    lat0, lon0 = origin
    x0 = (view.lon - lon0) * M_PER_DEG_LON * math.cos(math.radians(lat0))
    y0 = (view.lat - lat0) * M_PER_DEG_LAT
    fov = min(max(view.fov_deg, 0.0), 360.0)
    steps = max(2, math.ceil(ARC_STEPS * fov / 360.0))
    start = view.azimuth_deg - fov / 2
    arc = [
        (
            x0 + view.range_m * math.sin(math.radians(start + fov * i / steps)),
            y0 + view.range_m * math.cos(math.radians(start + fov * i / steps)),
        )
        for i in range(steps + 1)
    ]
    if fov >= 360.0:
        return Polygon(arc[:-1])
    return Polygon([(x0, y0), *arc])


@dataclass(frozen=True, slots=True)
class Coverage:
    """How much of the planned sector existing cameras cover, and by whom."""

    share: float
    overlapping_ids: tuple[int, ...]
    decision: Decision


def duplicate_coverage(
    planned: View, existing: Sequence[View], *, threshold: float = DEFAULT_THRESHOLD
) -> Coverage:
    """The planned point against existing cameras (Art. 7): refused (``ok`` False) when
    at least ``threshold`` of its field of view is already covered."""
    origin = (planned.lat, planned.lon)
    mine = sector(planned, origin=origin)
    overlaps = []
    ids = []
    for view in existing:
        other = sector(view, origin=origin)
        if other.intersects(mine):
            part = other.intersection(mine)
            if part.area > 0:
                overlaps.append(part)
                if view.id is not None:
                    ids.append(view.id)
    covered = unary_union(overlaps).area if overlaps else 0.0
    share = covered / mine.area if mine.area > 0 else 0.0
    percent = f"{share * 100:.1f}%"
    decision = Decision(
        ok=share < threshold,
        rule="art7_duplicate_coverage",
        article="Art. 7",
        article_zh="第七条",
        reason=(
            f"{percent} of the planned field of view is already covered by existing cameras "
            f"(threshold {threshold * 100:.0f}%): reuse them rather than build again"
            if share >= threshold
            else f"{percent} of the planned field of view is already covered"
        ),
        evidence={"covered": percent, "cameras": sorted(ids)},
    )
    return Coverage(share=share, overlapping_ids=tuple(sorted(ids)), decision=decision)


# --- Art. 8 coverage of mandatory sites ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SiteGap:
    """What an Art. 8 site lacks: the covering roles no existing camera has, and which of
    those a planned point would fill."""

    missing: tuple[CameraRole, ...]
    planned: tuple[CameraRole, ...]
    decision: Decision

    @property
    def unplanned(self) -> tuple[CameraRole, ...]:
        return tuple(r for r in self.missing if r not in self.planned)


def site_gap(
    category: SiteCategory,
    present: Collection[CameraRole],
    planned: Collection[CameraRole] = (),
) -> SiteGap:
    """Art. 8: a mandatory place needs cameras at its main entrances, passages and key
    spots. ``present``: roles of the site's existing cameras; ``planned``: of its planned
    points. Not a mandatory category: nothing is missing."""
    missing = (
        tuple(r for r in COVERING_ROLES if r not in set(present)) if category.is_mandatory else ()
    )
    filled = tuple(r for r in missing if r in set(planned))
    article = (
        f"Art. 8({category.value.removeprefix('art8_')})" if category.is_mandatory else "Art. 8"
    )
    return SiteGap(
        missing=missing,
        planned=filled,
        decision=Decision(
            ok=not missing,
            rule="art8_site_roles_missing",
            article=article,
            article_zh="第八条",
            reason=(
                "no camera at: " + ", ".join(r.value for r in missing)
                if missing
                else "entrances, passages and key spots covered"
            ),
            evidence={"missing": [r.value for r in missing], "planned": [r.value for r in filled]},
        ),
    )
