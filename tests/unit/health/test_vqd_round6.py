"""Round 6 of the VQD detectors: a frozen picture re-encoded (its block means unmoved)
is frozen even when the change is twice its little noise; a strongly overexposed plain
area squeezed towards white is exposure, not a cover."""

from __future__ import annotations

import numpy as np

from psvis.health.vqd import detectors as d
from tests.unit.health.vqd_pictures import H, T, W, feats, scene


def _ripple(sign: float) -> np.ndarray:
    """A re-encoding-like change: a ripple of period 10 pixels (one analysis block),
    zero-mean over every block, one way or the other."""
    x = np.arange(W, dtype=np.float32)
    wave = sign * 0.6 * np.sin(2 * np.pi * x / 10.0)
    return np.broadcast_to(wave[None, :, None], (H, W, 3))


def test_a_reencoded_picture_is_frozen_though_its_change_is_twice_its_noise() -> None:
    still = scene()
    frames = [feats(still + _ripple(s)) for s in (1.0, -1.0, 1.0)]
    verdict = d.frozen(frames, T)
    assert verdict.metrics["frame_change"] <= T.frozen_max_change
    assert verdict.metrics["block_change"] <= T.frozen_max_block_change
    assert verdict.fault
    # The same small change, but the block means move (a lighting drift): live.
    drift = [feats(still + level) for level in (0.0, 1.0, 2.0)]
    moving = d.frozen(drift, T)
    assert moving.metrics["block_change"] > T.frozen_max_block_change
    assert not moving.fault


def test_blocks_a_strong_gain_brings_near_white_are_not_covered() -> None:
    wall = scene()
    ref = feats(wall, noise=1.0)
    bright = feats(wall * 2.3 + 52.0, noise=1.0)
    blown = d._blown_by_gain(bright, ref, T)
    assert blown.any()
    assert np.all(bright.block_mean[blown] >= T.clip_high_luma - 30)
    # At the reference's own exposure nothing is blown.
    assert not d._blown_by_gain(feats(wall, noise=1.0, seed=3), ref, T).any()
    # Nor does a cover in a bright frame count as blown: it is far from white.
    covered = wall * 1.5
    covered[: H // 2, : W // 2] = 60.0
    f = feats(covered, noise=1.0)
    assert not d._blown_by_gain(f, ref, T)[: H // 20, : W // 20].any()
