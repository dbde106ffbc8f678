"""Round 15 (docs/design/vqd.md): a view dark by nature brightened two-fold is overexposed.

The relative overexposure test asked for a mean of at least 100 (an infrared night
picture is dim, and a dim yard a little brighter is no fault). A view dark by nature - a
road sign under trees, a dim hall, a candle-lit room, a black notebook at night - at 2-3
times its level still averages 60-100, and read as low contrast or as nothing (rounds
10, 14 and the second look of round 14). Two-fold is beyond any day's lighting swing
(~1.5x at most), so from ``overexposed_dark_min_gain`` it is overexposed whatever the
mean, as long as the picture is above the dark bar."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from psvis.health.vqd import detectors as d
from psvis.health.vqd.diagnose import FaultClass, diagnose
from psvis.health.vqd.features import features_of
from tests.unit.health.vqd_pictures import T, baseline, diagnose_in_place, frame, scene


def dark_view() -> NDArray[np.float32]:
    """The textured wall at a fifth of its level: a view that averages ~25."""
    return scene(seed=6) * np.float32(0.2)


def brightened(img: NDArray[np.float32], gain: float) -> NDArray[np.float32]:
    """An exposure fault: a gain and the lifted black level that comes with it."""
    out: NDArray[np.float32] = np.clip(img * gain + 20.0 * (gain - 1.0), 0, 255).astype(np.float32)
    return out


def test_a_dark_view_brightened_two_and_a_half_fold_is_overexposed() -> None:
    img = dark_view()
    ref = features_of(frame(img, noise=1.0))
    assert ref.luma_mean < T.underexposed_max_mean
    over = d.overexposed(features_of(frame(brightened(img, 2.5), noise=1.0, seed=3)), T, ref=ref)
    assert over.fault, over.metrics
    assert over.metrics["mean_luma"] < T.exposure_relative_min_mean


def test_a_dark_view_at_a_lighting_swing_or_still_dark_is_not() -> None:
    img = dark_view()
    ref = features_of(frame(img, noise=1.0))
    swing = d.overexposed(features_of(frame(img * 1.5, noise=1.0, seed=3)), T, ref=ref)
    assert not swing.fault, swing.metrics
    # Twice a near-black view is still a dark picture: not overexposed.
    black = scene(seed=6) * np.float32(0.08)
    ref_black = features_of(frame(black, noise=1.0))
    doubled = d.overexposed(features_of(frame(black * 2.2, noise=1.0, seed=3)), T, ref=ref_black)
    assert doubled.metrics["mean_luma"] <= T.underexposed_max_mean
    assert not doubled.fault, doubled.metrics


def test_the_diagnosis_names_overexposure_not_low_contrast() -> None:
    img = dark_view()
    accepted = baseline(img)
    frames = [frame(brightened(img, 2.5), noise=1.0, seed=s) for s in range(3, 6)]
    classes = diagnose(frames, baseline=accepted, thresholds=T).classes
    assert FaultClass.OVEREXPOSED in classes
    assert FaultClass.LOW_CONTRAST not in classes
    # The dark view itself, diagnosed in place, is not overexposed.
    assert FaultClass.OVEREXPOSED not in diagnose_in_place(img).classes
