"""Art. 7 duplicate coverage on constructed geometry: identical, disjoint, half-covered
and surrounded sectors, and the threshold's edge."""

from __future__ import annotations

import math

import pytest

from psvis.enforcement.planning import M_PER_DEG_LAT, View, duplicate_coverage, sector

LAT, LON = 28.68, 115.89


def north_of(metres: float) -> float:
    return LAT + metres / M_PER_DEG_LAT


def view(
    camera_id: int | None = None, *, lat: float = LAT, azimuth: float = 0.0, fov: float = 90.0
) -> View:
    return View(id=camera_id, lat=lat, lon=LON, azimuth_deg=azimuth, fov_deg=fov, range_m=30.0)


def test_sector_area_matches_the_formula() -> None:
    for fov in (30.0, 90.0, 200.0, 360.0):
        area = sector(view(fov=fov), origin=(LAT, LON)).area
        assert area == pytest.approx(math.pi * 30.0**2 * fov / 360.0, rel=2e-3), fov


def test_an_identical_camera_covers_everything() -> None:
    result = duplicate_coverage(view(), [view(7)])
    assert result.share == pytest.approx(1.0, abs=1e-9)
    assert not result.decision.ok
    assert (result.decision.article, result.decision.rule) == ("Art. 7", "art7_duplicate_coverage")
    assert result.overlapping_ids == (7,)


def test_the_opposite_direction_or_far_away_covers_nothing() -> None:
    behind = duplicate_coverage(view(), [view(1, azimuth=180.0)])
    far = duplicate_coverage(view(), [view(2, lat=north_of(100.0))])
    for result in (behind, far):
        assert result.share == pytest.approx(0.0, abs=1e-9)
        assert result.decision.ok
        assert result.overlapping_ids == ()


def test_half_the_sector_and_the_threshold_edge() -> None:
    # Two cameras at the same point looking 45° either side: each covers half of a 90°
    # sector facing north; together, all of it.
    left, right = view(1, azimuth=315.0), view(2, azimuth=45.0)
    half = duplicate_coverage(view(), [left])
    assert half.share == pytest.approx(0.5, abs=5e-3)
    assert duplicate_coverage(view(), [left], threshold=0.51).decision.ok
    assert not duplicate_coverage(view(), [left], threshold=0.49).decision.ok
    both = duplicate_coverage(view(), [left, right])
    assert both.share == pytest.approx(1.0, abs=5e-3)
    assert both.overlapping_ids == (1, 2)


def test_overlapping_existing_sectors_are_not_counted_twice() -> None:
    result = duplicate_coverage(view(), [view(1), view(2), view(3, fov=360.0)])
    assert result.share == pytest.approx(1.0, abs=1e-9)


# --- Art. 8: the covering roles a mandatory site lacks ------------------------------------------


def test_site_gap_names_the_missing_roles_and_the_planned_ones() -> None:
    from psvis.enforcement.planning import site_gap
    from psvis.registry.enums import CameraRole as R
    from psvis.registry.enums import SiteCategory

    full = site_gap(SiteCategory.ART8_4, {R.ENTRANCE, R.PASSAGE, R.KEY_SPOT})
    assert (full.missing, full.decision.ok) == ((), True)
    gap = site_gap(SiteCategory.ART8_5, {R.ENTRANCE, R.OTHER}, {R.PASSAGE, R.ENTRANCE})
    assert gap.missing == (R.PASSAGE, R.KEY_SPOT)
    assert gap.planned == (R.PASSAGE,)  # a planned entrance fills nothing: one exists
    assert gap.unplanned == (R.KEY_SPOT,)
    assert (gap.decision.ok, gap.decision.article, gap.decision.rule) == (
        False,
        "Art. 8(5)",
        "art8_site_roles_missing",
    )
    # An "other" camera covers none of the three; a non-mandatory site lacks nothing.
    assert site_gap(SiteCategory.ART8_10, {R.OTHER}).missing == (R.ENTRANCE, R.PASSAGE, R.KEY_SPOT)
    assert site_gap(SiteCategory.OTHER, set()).decision.ok
    assert site_gap(SiteCategory.ART9_TOILET, set()).missing == ()
