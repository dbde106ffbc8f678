"""Round 4 of the VQD detectors: structure compared net of sensor noise, scene shift on a
noisy or hazy picture, a dark picture that still shows the scene, noise under a gain,
frozen against the noise, covers of one level."""

from __future__ import annotations

import numpy as np

from psvis.health.vqd import detectors as d
from psvis.health.vqd.baseline import Baseline
from psvis.health.vqd.diagnose import FaultClass, diagnose
from psvis.health.vqd.features import orientation_field
from tests.unit.health.vqd_pictures import H, T, W, feats, frame, grey, scene


def test_noise_energy_constant_matches_white_noise() -> None:
    rng = np.random.default_rng(4)
    plane = (rng.standard_normal((90, 160)) * 2.0 + 100.0).astype(np.float32)
    energy = float(np.mean(np.abs(orientation_field(plane)) ** 2))
    assert abs(energy / 4.0 - d.NOISE_ORIENTATION_ENERGY) < 0.006


def test_heavy_noise_does_not_read_as_a_shift() -> None:
    night = grey(scene()) * 0.5
    base = Baseline.capture([frame(night, 2.0, s) for s in range(3)], thresholds=T)
    f = feats(night, noise=14.0, seed=9)
    ref = base.reference_for(f, thresholds=T)
    assert ref is not None
    similarity, _ = d.structure_match(f, ref)
    assert similarity is not None
    assert similarity >= T.scene_min_similarity
    frames = [frame(night, 14.0, s) for s in (11, 12, 13)]
    diagnosis = diagnose(frames, baseline=base, thresholds=T)
    assert FaultClass.SCENE_SHIFT not in diagnosis.classes
    assert FaultClass.NOISE in diagnosis.classes
    # A moved view is still a shift, noise or not.
    moved = np.roll(night, W // 4, axis=1)
    moved_frames = [frame(moved, 3.0, s) for s in (11, 12, 13)]
    assert FaultClass.SCENE_SHIFT in diagnose(moved_frames, baseline=base, thresholds=T).classes


def test_a_very_dark_picture_of_the_scene_is_underexposed_not_lost() -> None:
    base = Baseline.capture([frame(scene(), 1.5, s) for s in range(3)], thresholds=T)
    dark = [frame(scene() * 0.1, 1.5, s) for s in (4, 5, 6)]
    diagnosis = diagnose(dark, baseline=base, thresholds=T)
    assert FaultClass.SIGNAL_LOSS not in diagnosis.classes
    assert FaultClass.UNDEREXPOSED in diagnosis.classes
    black = [frame(np.full((H, W, 3), 8.0), 1.5, s) for s in (4, 5, 6)]
    assert FaultClass.SIGNAL_LOSS in diagnose(black, baseline=base, thresholds=T).classes


def test_noise_is_judged_at_the_reference_exposure_when_overexposed() -> None:
    f = feats(scene(), noise=5.0)
    assert d.noise(f, T).fault
    # The same noise, brought by a gain of 2.5 (an overexposed frame): the exposure's fault.
    assert not d.noise(f, T, gain=2.5).fault
    assert d.noise(f, T, gain=0.5).fault  # a darker frame's noise is judged as it is


def test_a_still_noisy_scene_is_not_frozen_but_a_repeated_frame_is() -> None:
    # Nothing moves, but each keyframe has fresh sensor noise: the picture is live.
    live = [feats(grey(scene()) * 0.4, noise=3.0, seed=s) for s in (1, 2, 3)]
    verdict = d.frozen(live, T)
    assert not verdict.fault, verdict.metrics
    # A slow lighting drift of one level per keyframe on a clean picture: a change as
    # small as a frozen picture's re-encoding, but the block means move - live.
    drift = [feats(scene() + level) for level in (0.0, 1.0, 2.0)]
    drifting = d.frozen(drift, T)
    assert drifting.metrics["frame_change"] <= T.frozen_max_change
    assert drifting.metrics["block_change"] > T.frozen_max_block_change
    assert not drifting.fault
    still = live[0]
    repeated = d.frozen([still, still, still], T)
    assert repeated.fault
    # A noise-free picture (synthetic, or noise removed by the encoder) repeated is
    # frozen too: the noise is floored, not divided by zero.
    clean = feats(scene())
    assert d.frozen([clean, clean, clean], T).fault


def test_a_dark_card_over_half_a_plain_wall_is_the_cover_not_the_lit_floor() -> None:
    wall = np.full((H, W, 3), 150.0, dtype=np.float32)
    wall[30:80, 120:200] = scene()[30:80, 120:200]  # a sign on the wall
    wall[H * 2 // 3 :] = np.linspace(80.0, 60.0, H - H * 2 // 3)[:, None, None]  # a floor
    base = Baseline.capture([frame(wall, 1.0, s) for s in range(3)], thresholds=T)
    covered = wall.copy()
    covered[: H // 2] = 25.0  # a dark card over the upper half, the sign with it
    f = feats(covered, noise=1.0)
    ref = base.reference_for(f, thresholds=T)
    verdict, blocks = d.occlusion(f, ref, T)
    assert verdict.fault
    rows = blocks.shape[0]
    assert blocks[: rows // 2 - 1].mean() > 0.9  # the card
    assert not blocks[rows * 2 // 3 + 1 :].any()  # not the floor
    frames = [frame(covered, 1.0, s) for s in (4, 5, 6)]
    assert FaultClass.OCCLUSION in diagnose(frames, baseline=base, thresholds=T).classes
