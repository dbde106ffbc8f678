"""Each VQD detector on synthetic frames, just below and just above its threshold."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray

from psvis.health.vqd import detectors as d
from psvis.health.vqd.baseline import Baseline
from psvis.health.vqd.diagnose import FaultClass, diagnose
from psvis.health.vqd.features import features_of
from tests.unit.health.vqd_pictures import H, T, W, feats, frame, scene


def gaussian(img: NDArray[np.float32], sigma: float) -> NDArray[np.float32]:
    radius = int(3 * sigma) + 1
    x = np.arange(-radius, radius + 1, dtype=np.float32)
    k = np.exp(-(x * x) / (2 * sigma * sigma))
    k /= k.sum()
    pad = np.pad(img, ((radius, radius), (radius, radius), (0, 0)), mode="edge")
    rows = sum(k[i] * pad[i : i + img.shape[0]] for i in range(len(k)))
    out = sum(k[i] * rows[:, i : i + img.shape[1]] for i in range(len(k)))
    return np.asarray(out, dtype=np.float32)


# --------------------------------------------------------------------------- signal loss


@pytest.mark.parametrize(("fraction", "lost"), [(0.88, False), (0.92, True)])
def test_uniform_screen_at_threshold(fraction: float, lost: bool) -> None:
    img = np.full((H, W, 3), 128.0, dtype=np.float32)
    # The non-uniform part: a textured caption area (like an OSD), rows from the top.
    rows = round(H * (1 - fraction))
    img[:rows] = scene()[:rows]
    verdict = d.signal_loss(feats(img), T)
    assert verdict.metrics["uniform_fraction"] == pytest.approx(fraction, abs=0.02)
    assert verdict.fault is lost


def test_black_and_blue_screens_with_an_osd() -> None:
    black = np.zeros((H, W, 3), dtype=np.float32)
    black[5:15, 5:120] = 235.0  # the recorder's clock
    assert d.signal_loss(feats(black, noise=1.0), T).detail == d.SignalLossKind.BLACK
    blue = np.broadcast_to(np.array([16.0, 32.0, 200.0], dtype=np.float32), (H, W, 3)).copy()
    assert d.signal_loss(feats(blue), T).detail == d.SignalLossKind.BLUE
    assert not d.signal_loss(feats(scene()), T).fault


# --------------------------------------------------------------------------- blur


def test_sharp_scene_is_not_blurred_and_defocus_is() -> None:
    sharp = d.blur(feats(scene()), None, T)
    blurred = d.blur(feats(gaussian(scene(), 2.0)), None, T)
    assert not sharp.fault
    assert blurred.fault
    assert sharp.metrics["sharpness"] > T.blur_max_sharpness > blurred.metrics["sharpness"]


def test_blur_threshold_orders_the_severities() -> None:
    values = [
        d.blur(feats(gaussian(scene(), s)), None, T).metrics["sharpness"]
        for s in (0.5, 1.0, 2.0, 3.0)
    ]
    assert values == sorted(values, reverse=True)


@pytest.mark.parametrize("sigma", [4.0, 8.0])
def test_noise_alone_reads_neither_blurred_nor_sharper(sigma: float) -> None:
    clean = d.blur(feats(scene()), None, T).metrics["sharpness"]
    noisy = d.blur(feats(scene(), noise=sigma), None, T)
    assert not noisy.fault
    assert noisy.metrics["sharpness"] > T.blur_max_sharpness
    # Noise never makes a blurred picture read sharp: it stays blurred, or - drowned in
    # noise - is not judged at all.
    blurred_noisy = d.blur(feats(gaussian(scene(), 2.0), noise=sigma), None, T)
    assert blurred_noisy.fault or not blurred_noisy.judged, blurred_noisy.metrics
    assert blurred_noisy.metrics["sharpness"] <= T.blur_max_sharpness < clean


def test_a_sharp_caption_does_not_hide_defocus() -> None:
    img = gaussian(scene(), 2.0)
    img[4:24, 4:200] = 20.0
    img[8:20, 8:196:6] = 235.0  # sharp glyph-like strokes drawn after the lens
    assert d.blur(feats(img), None, T).fault


def test_a_frame_without_edges_is_not_judged_for_blur() -> None:
    flat = np.full((H, W, 3), 120.0, dtype=np.float32)
    verdict = d.blur(feats(flat, noise=2.0), None, T)
    assert not verdict.judged
    assert not verdict.fault


# --------------------------------------------------------------------------- exposure


def with_mean(img: NDArray[np.float32], mean: float) -> NDArray[np.float32]:
    return np.asarray(img * (mean / float(img.mean())), dtype=np.float32)


@pytest.mark.parametrize(("delta", "fault"), [(-4.0, True), (4.0, False)])
def test_underexposed_at_threshold(delta: float, fault: bool) -> None:
    img = with_mean(scene(), T.underexposed_max_mean + delta)
    verdict = d.underexposed(feats(img), T)
    assert verdict.fault is fault, verdict.metrics


@pytest.mark.parametrize(("delta", "fault"), [(-6.0, False), (6.0, True)])
def test_overexposed_at_threshold(delta: float, fault: bool) -> None:
    img = scene() - float(scene().mean()) * 0.0
    img = np.clip((img - img.mean()) * 0.5 + T.overexposed_min_mean + delta, 0, 254)
    verdict = d.overexposed(feats(img), T)
    assert verdict.fault is fault, verdict.metrics


@pytest.mark.parametrize(
    ("spread", "fault"),
    [(T.low_contrast_max_spread - 10, True), (T.low_contrast_max_spread + 10, False)],
)
def test_low_contrast_at_threshold(spread: float, fault: bool) -> None:
    img = scene()
    lum = img @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    lo, hi = np.quantile(lum, [0.02, 0.98])
    img = (img - lum.mean()) * (spread / (hi - lo)) + 128.0
    verdict = d.low_contrast(feats(img), T)
    assert verdict.judged
    assert verdict.fault is fault, verdict.metrics


# --------------------------------------------------------------------------- colour


def test_colour_cast_found_and_neutral_scene_passes() -> None:
    grey = np.repeat(scene().mean(axis=2, keepdims=True), 3, axis=2)
    assert not d.colour_cast(feats(grey + 0.0), None, T).fault
    cast = grey * np.array([1.3, 1.0, 0.7], dtype=np.float32)
    verdict = d.colour_cast(feats(cast), None, T)
    assert verdict.fault, verdict.metrics


def test_colour_cast_against_the_day_reference() -> None:
    base = Baseline.capture([frame(scene())], thresholds=T)
    ref = base.reference_for(feats(scene()), thresholds=T)
    assert not d.colour_cast(feats(scene(), noise=2.0), ref, T).fault
    assert d.colour_cast(
        feats(scene() * np.array([1.25, 1.0, 0.75], dtype=np.float32)), ref, T
    ).fault


def test_colour_cast_guard_on_a_near_uniform_frame() -> None:
    red_wall = np.broadcast_to(np.array([200.0, 60.0, 50.0], dtype=np.float32), (H, W, 3)).copy()
    verdict = d.colour_cast(feats(red_wall, noise=3.0), None, T)
    assert not verdict.judged
    assert not verdict.fault


# --------------------------------------------------------------------------- noise


@pytest.mark.parametrize(
    ("sigma", "fault"), [(T.noise_max_sigma * 0.6, False), (T.noise_max_sigma * 1.5, True)]
)
def test_noise_at_threshold(sigma: float, fault: bool) -> None:
    verdict = d.noise(feats(scene(), noise=sigma), T)
    assert verdict.metrics["noise_sigma"] == pytest.approx(sigma, rel=0.3)
    assert verdict.fault is fault


# --------------------------------------------------------------------------- frozen


def test_frozen_needs_identical_keyframes() -> None:
    still = feats(scene(), noise=2.0, seed=1)
    assert d.frozen([still, still, still], T).fault
    live = [feats(scene(), noise=2.0, seed=s) for s in (1, 2, 3)]
    verdict = d.frozen(live, T)
    assert not verdict.fault
    assert verdict.metrics["frame_change"] > T.frozen_max_change
    assert not d.frozen([still, still], T).judged


def test_frozen_ignores_a_ticking_clock() -> None:
    frames = []
    for second in range(3):
        img = scene()
        img[4:20, 4:60] = 20.0
        img[6:18, 6 + 10 * second : 14 + 10 * second] = 235.0
        frames.append(feats(img, noise=2.0, seed=1))
    assert d.frozen(frames, T).fault


# --------------------------------------------------------------------------- occlusion


def test_occlusion_against_the_baseline_but_not_fog() -> None:
    base = Baseline.capture([frame(scene(), 2.0, s) for s in range(3)], thresholds=T)
    covered = scene()
    covered[:, : W * 2 // 5] = 25.0
    f = feats(covered, noise=1.0)
    verdict, _ = d.occlusion(f, base.reference_for(f, thresholds=T), T)
    assert verdict.fault, verdict.metrics
    fog = scene() * 0.3 + 150.0
    g = feats(fog, noise=1.0)
    assert not d.occlusion(g, base.reference_for(g, thresholds=T), T)[0].fault
    small = scene()
    small[:, : W // 10] = 25.0
    s = feats(small, noise=1.0)
    assert not d.occlusion(s, base.reference_for(s, thresholds=T), T)[0].fault


# --------------------------------------------------------------------------- scene shift


def night(img: NDArray[np.float32]) -> NDArray[np.float32]:
    lum = (img @ np.array([0.299, 0.587, 0.114], dtype=np.float32)) * 0.7 + 10
    return np.repeat(lum[:, :, None], 3, axis=2)


def test_scene_shift_against_the_baseline() -> None:
    base = Baseline.capture([frame(scene(), 2.0, s) for s in range(3)], thresholds=T)
    same = feats(scene() * 0.75, noise=2.0)  # darker afternoon
    verdict = d.scene_shift(same, base.reference_for(same, thresholds=T), T)
    assert not verdict.fault, verdict.metrics
    moved = feats(np.roll(scene(), W // 8, axis=1), noise=2.0)
    verdict = d.scene_shift(moved, base.reference_for(moved, thresholds=T), T)
    assert verdict.fault, verdict.metrics


def test_the_night_switch_is_not_a_shift() -> None:
    day_frames = [frame(scene(), 2.0, s) for s in range(3)]
    night_frames = [frame(night(scene()), 5.0, s) for s in range(3)]
    base = Baseline.capture(day_frames + night_frames, thresholds=T)
    assert base.day is not None
    assert base.night is not None
    tonight = [frame(night(scene()), 5.0, s) for s in (10, 11, 12)]
    diagnosis = diagnose(tonight, baseline=base, thresholds=T)
    assert diagnosis.reference == "night"
    assert FaultClass.SCENE_SHIFT not in diagnosis.classes, diagnosis.metrics
    # Without a night reference a night frame is not compared with the day one at all.
    day_only = Baseline.capture(day_frames, thresholds=T)
    assert day_only.night is None
    f = features_of(tonight[0])
    assert day_only.reference_for(f, thresholds=T) is None


def test_clean_frames_diagnose_good_and_no_frames_is_no_video() -> None:
    base = Baseline.capture([frame(scene(), 2.0, s) for s in range(3)], thresholds=T)
    diagnosis = diagnose([frame(scene(), 2.0, s) for s in (4, 5, 6)], baseline=base, thresholds=T)
    assert diagnosis.good, diagnosis.faults
    empty = diagnose([], baseline=base, thresholds=T)
    assert not empty.good
    assert empty.faults[0].detail == "no_video"
