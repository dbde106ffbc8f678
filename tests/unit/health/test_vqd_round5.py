"""Round 5 of the VQD detectors: underexposure judged against the reference's level, a
dark cover told from underexposure by the blocks beside it, blur not read off a cover's
soft edge, a reference's near-clipped sky not read as overexposure."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from psvis.health.vqd import detectors as d
from psvis.health.vqd.baseline import Baseline
from psvis.health.vqd.diagnose import FaultClass, diagnose
from psvis.health.vqd.features import Features, features_of
from psvis.health.vqd.frames import Frame
from tests.unit.health import vqd_pictures as pictures
from tests.unit.health.vqd_pictures import H, T, W, scene


def frame(rgb: NDArray[np.floating], noise: float = 1.5, seed: int = 7) -> Frame:
    """Round 5's frames carry a little sensor noise by default, as a camera's do."""
    return pictures.frame(rgb, noise, seed)


def feats(rgb: NDArray[np.floating], seed: int = 7) -> Features:
    return features_of(frame(rgb, seed=seed))


def baseline(img: NDArray[np.float32]) -> Baseline:
    return Baseline.capture([frame(img, seed=s) for s in range(3)], thresholds=T)


def test_a_bright_sky_scene_at_a_third_of_its_level_is_underexposed() -> None:
    bright = scene(sky=0.45)
    base = baseline(bright)
    dark = bright * 0.33
    f = feats(dark)
    assert f.luma_mean > T.underexposed_max_mean  # the sky keeps the mean above the limit
    ref = base.reference_for(f, thresholds=T)
    assert ref is not None
    assert d.underexposed(f, T, ref=ref).fault
    # A normal dimming (cloud, dusk drift) is not.
    assert not d.underexposed(feats(bright * 0.8), T, ref=ref).fault
    diagnosis = diagnose([frame(dark, seed=s) for s in (4, 5, 6)], baseline=base, thresholds=T)
    assert FaultClass.UNDEREXPOSED in diagnosis.classes


def test_a_dark_cover_is_not_underexposure() -> None:
    img = scene(seed=3) * 0.55  # a dim scene: its mean is near the absolute limit
    base = baseline(img)
    covered = img.copy()
    covered[:, : W // 2] = 12.0
    f = feats(covered)
    ref = base.reference_for(f, thresholds=T)
    assert ref is not None
    # Half the blocks keep their level: exposure is global, a cover is not.
    assert not d.underexposed(f, T, ref=ref).fault
    diagnosis = diagnose([frame(covered, seed=s) for s in (4, 5, 6)], baseline=base, thresholds=T)
    assert FaultClass.UNDEREXPOSED not in diagnosis.classes
    assert FaultClass.OCCLUSION in diagnosis.classes


def test_a_covers_soft_edge_is_not_blur() -> None:
    img = scene(seed=5)
    base = baseline(img)
    xx = np.mgrid[0:H, 0:W].astype(np.float32)[1]
    edge = np.clip((xx - W * 0.45) / 25.0, 0.0, 1.0)[:, :, None]  # out of focus, 25 px wide
    covered = img * (1 - edge) + 40.0 * edge
    f = feats(covered)
    ref = base.reference_for(f, thresholds=T)
    assert ref is not None
    cover, _ = d.covered_blocks(f, ref, T)
    kept = d.detail_ratio(f, ref, T, covered=cover)
    assert kept is not None
    assert kept > T.blur_max_detail_ratio
    diagnosis = diagnose([frame(covered, seed=s) for s in (4, 5, 6)], baseline=base, thresholds=T)
    assert FaultClass.BLUR not in diagnosis.classes


def test_a_sky_near_clipping_at_acceptance_is_not_overexposed_when_it_clips() -> None:
    img = scene(seed=6, sky=0.4)
    img[: int(H * 0.4)] = 232.0  # a pale sky, just under white at acceptance
    base = baseline(img)
    brighter = np.clip(img * 1.12, 0, 255)  # the top of the day's lighting drift
    f = feats(brighter)
    ref = base.reference_for(f, thresholds=T)
    assert ref is not None
    assert float(np.mean(f.frame.luma >= T.clip_high_luma)) >= T.overexposed_min_clipped
    assert not d.overexposed(f, T, ref=ref).fault
    # A real gain still is.
    assert d.overexposed(feats(np.clip(img * 1.7 + 28, 0, 255)), T, ref=ref).fault
