"""Geometry of the offline camera map: no tiles, just a projection into an SVG viewport.

Equirectangular with a cos(latitude) correction at the map's centre, which is exact
enough at city scale (a few tens of kilometres) to place cameras and district centres.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

WIDTH = 1000
HEIGHT = 640
PAD = 36
#: Smallest span drawn (degrees), so one camera or one spot does not zoom infinitely.
MIN_SPAN_DEG = 0.004
METRES_PER_DEG_LAT = 111_320.0
#: Categorical palette for districts (readable on white, distinct in print).
PALETTE = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#9467bd",
    "#ff7f0e",
    "#17becf",
    "#8c564b",
    "#e377c2",
    "#bcbd22",
    "#393b79",
    "#637939",
    "#843c39",
)
CITY_COLOUR = "#555555"


@dataclass(frozen=True, slots=True)
class Projection:
    """lon/lat → SVG pixels; ``scale`` is pixels per degree of latitude."""

    lon0: float
    lat0: float
    scale: float
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def kx(self) -> float:
        return math.cos(math.radians(self.lat0))

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        x = self.width / 2 + (lon - self.lon0) * self.kx * self.scale
        y = self.height / 2 - (lat - self.lat0) * self.scale
        return round(x, 1), round(y, 1)

    def lonlat(self, x: float, y: float) -> tuple[float, float]:
        lon = self.lon0 + (x - self.width / 2) / (self.kx * self.scale)
        lat = self.lat0 - (y - self.height / 2) / self.scale
        return lon, lat

    def inside(self, x: float, y: float, margin: float = 8) -> bool:
        return margin <= x <= self.width - margin and margin <= y <= self.height - margin

    def metres_to_px(self, metres: float) -> float:
        return metres / METRES_PER_DEG_LAT * self.scale


def fit(
    points: Iterable[tuple[float, float]],
    *,
    width: int = WIDTH,
    height: int = HEIGHT,
    pad: int = PAD,
) -> Projection:
    """The projection showing every (lon, lat) point inside the padded viewport."""
    pts = list(points)
    if not pts:
        return Projection(lon0=0.0, lat0=0.0, scale=1.0, width=width, height=height)
    lons = [p[0] for p in pts]
    lats = [p[1] for p in pts]
    lon0 = (min(lons) + max(lons)) / 2
    lat0 = (min(lats) + max(lats)) / 2
    kx = math.cos(math.radians(lat0))
    span_x = max((max(lons) - min(lons)) * kx, MIN_SPAN_DEG)
    span_y = max(max(lats) - min(lats), MIN_SPAN_DEG)
    scale = min((width - 2 * pad) / span_x, (height - 2 * pad) / span_y)
    return Projection(lon0=lon0, lat0=lat0, scale=scale, width=width, height=height)


def wedge_path(x: float, y: float, azimuth_deg: float, fov_deg: float, radius: float) -> str:
    """An SVG path for a field-of-view wedge; azimuth clockwise from north."""
    if fov_deg >= 359.9:
        r = round(radius, 1)
        return f"M {x - r} {y} a {r} {r} 0 1 0 {2 * r} 0 a {r} {r} 0 1 0 {-2 * r} 0 Z"
    start = math.radians(azimuth_deg - fov_deg / 2)
    end = math.radians(azimuth_deg + fov_deg / 2)
    x1, y1 = x + radius * math.sin(start), y - radius * math.cos(start)
    x2, y2 = x + radius * math.sin(end), y - radius * math.cos(end)
    large = 1 if fov_deg > 180 else 0
    return (
        f"M {x} {y} L {x1:.1f} {y1:.1f} A {radius:.1f} {radius:.1f} 0 {large} 1 {x2:.1f} {y2:.1f} Z"
    )


def nice_step(span: float, max_lines: int = 8) -> float:
    """A round grid step (degrees) giving at most ``max_lines`` lines over ``span``."""
    for step in (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0):
        if span / step <= max_lines:
            return step
    return 10.0


@dataclass(frozen=True, slots=True)
class GridLine:
    x1: float
    y1: float
    x2: float
    y2: float
    text: str


def graticule(proj: Projection) -> list[GridLine]:
    """Meridians and parallels at round values across the viewport, labelled."""
    west, north = proj.lonlat(0, 0)
    east, south = proj.lonlat(proj.width, proj.height)
    lines: list[GridLine] = []
    step = nice_step(max(east - west, north - south))
    decimals = max(0, -math.floor(math.log10(step)))
    lon = math.ceil(west / step) * step
    while lon <= east:
        x, _ = proj.xy(lon, north)
        lines.append(GridLine(x, 0, x, proj.height, f"{lon:.{decimals}f}°E"))
        lon += step
    lat = math.ceil(south / step) * step
    while lat <= north:
        _, y = proj.xy(west, lat)
        lines.append(GridLine(0, y, proj.width, y, f"{lat:.{decimals}f}°N"))
        lat += step
    return lines


def scale_bar(proj: Projection, max_px: float = 160) -> tuple[float, str]:
    """Length in pixels and label of a round-valued scale bar no longer than ``max_px``."""
    metres = max_px / proj.scale * METRES_PER_DEG_LAT
    for candidate in (
        20_000,
        10_000,
        5_000,
        2_000,
        1_000,
        500,
        200,
        100,
        50,
        20,
        10,
    ):
        if candidate <= metres:
            text = f"{candidate // 1000} km" if candidate >= 1000 else f"{candidate} m"
            return round(proj.metres_to_px(candidate), 1), text
    return round(proj.metres_to_px(10), 1), "10 m"


@dataclass(frozen=True, slots=True)
class LabelSpot:
    x: float
    y: float
    anchor: str  # SVG text-anchor: "start" or "end"


def text_width(text: str, size: float) -> float:
    """Rough rendered width: CJK characters are square, Latin ones about half as wide."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.58 for ch in text)


def place_labels(
    items: list[tuple[float, float, str, float]], *, width: int = WIDTH, height: int = HEIGHT
) -> list[LabelSpot]:
    """Greedy placement of point labels (x, y, text, font size): try right, left, above,
    below the point; keep the first spot inside the viewport that overlaps no earlier
    label and no labelled point, else the one overlapping least."""
    boxes: list[tuple[float, float, float, float]] = [
        (x - 7, y - 7, x + 7, y + 7) for x, y, _, _ in items
    ]
    spots: list[LabelSpot] = []
    for x, y, text, size in items:
        w, h = text_width(text, size), size * 1.2
        candidates = (
            (x + 9, y + size * 0.35, "start", x + 9, y - h / 2),
            (x - 9, y + size * 0.35, "end", x - 9 - w, y - h / 2),
            (x - w / 2, y - 9, "start", x - w / 2, y - 9 - h),
            (x - w / 2, y + 9 + size, "start", x - w / 2, y + 9),
        )
        best: tuple[float, LabelSpot, tuple[float, float, float, float]] | None = None
        for tx, ty, anchor, bx, by in candidates:
            box = (bx, by, bx + w, by + h)
            outside = not (
                box[0] >= 2 and box[2] <= width - 2 and box[1] >= 2 and box[3] <= height - 2
            )
            cost = sum(_overlap(box, other) for other in boxes) + (1e6 if outside else 0.0)
            if best is None or cost < best[0]:
                best = (cost, LabelSpot(round(tx, 1), round(ty, 1), anchor), box)
            if cost == 0:
                break
        assert best is not None
        spots.append(best[1])
        boxes.append(best[2])
    return spots


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    dx = min(a[2], b[2]) - max(a[0], b[0])
    dy = min(a[3], b[3]) - max(a[1], b[1])
    return dx * dy if dx > 0 and dy > 0 else 0.0
