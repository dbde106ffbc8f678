"""Round 3 of the VQD detectors: low-structure scenes, covers over featureless regions,
scene shift that abstains (``scene_shift_undetermined``) instead of guessing."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray

from psvis.health.vqd import detectors as d
from psvis.health.vqd.baseline import Baseline
from psvis.health.vqd.diagnose import SCENE_SHIFT_UNDETERMINED, FaultClass, diagnose
from psvis.health.vqd.thresholds import VqdThresholds
from tests.unit.health.vqd_pictures import H, T, W, feats, frame
from tests.unit.health.vqd_pictures import scene as textured


def night_sky() -> NDArray[np.float32]:
    """A dark featureless sky over a textured strip of ground (the lower quarter)."""
    img = np.full((H, W, 3), 30.0, dtype=np.float32)
    img[H * 3 // 4 :] = textured(3)[H * 3 // 4 :] * 0.5
    return img


def bland() -> NDArray[np.float32]:
    """A plain wall: a smooth lighting gradient and one small sign (a few cells)."""
    ramp = np.linspace(90.0, 150.0, W, dtype=np.float32)[None, :, None]
    img = np.broadcast_to(ramp, (H, W, 3)).copy()
    img[70:100, 140:180] = 40.0
    return img


def test_a_cover_over_a_featureless_night_sky_is_found_at_its_own_level() -> None:
    base = Baseline.capture([frame(night_sky(), 3.0, s) for s in range(3)], thresholds=T)
    covered = night_sky()
    covered[: H // 2, : W // 2] = 120.0  # a light card over the sky: no texture lost
    f = feats(covered, noise=3.0)
    ref = base.reference_for(f, thresholds=T)
    assert not d.occlusion(f, ref, T, plain=False)[0].fault  # no texture was hidden
    verdict, _ = d.occlusion(f, ref, T)
    assert verdict.fault, verdict.metrics
    # The same night, darker by a third: the plain sky follows the frame's level map.
    dim = feats(night_sky() * 0.67, noise=3.0)
    assert not d.occlusion(dim, base.reference_for(dim, thresholds=T), T)[0].fault


def test_too_little_structure_leaves_scene_shift_undetermined() -> None:
    base = Baseline.capture([frame(bland(), 2.0, s) for s in range(3)], thresholds=T)
    moved = np.roll(bland(), W // 4, axis=1)
    f = feats(moved, noise=2.0)
    verdict = d.scene_shift(f, base.reference_for(f, thresholds=T), T)
    assert not verdict.fault
    assert verdict.detail == d.UNDETERMINED
    assert verdict.metrics["scene_cells"] < T.scene_min_cells
    diagnosis = diagnose([frame(moved, 2.0, s) for s in (4, 5, 6)], baseline=base, thresholds=T)
    assert FaultClass.SCENE_SHIFT not in diagnosis.classes
    # Not a fault, and not evidence of a view in place either (a repaired shift ticket
    # must not be verified by it).
    assert diagnosis.metrics[SCENE_SHIFT_UNDETERMINED] == 1.0
    assert diagnosis.scene_shift_undetermined
    # The same scene with the threshold lowered to what it has: decided, and moved.
    few = T.model_copy(update={"scene_min_cells": 1})
    assert d.scene_shift(f, base.reference_for(f, thresholds=few), few).fault


def test_a_structured_view_in_place_is_decided() -> None:
    base = Baseline.capture([frame(textured(), 2.0, s) for s in range(3)], thresholds=T)
    diagnosis = diagnose(
        [frame(textured(), 2.0, s) for s in (4, 5, 6)], baseline=base, thresholds=T
    )
    assert diagnosis.good, diagnosis.faults
    assert diagnosis.metrics[SCENE_SHIFT_UNDETERMINED] == 0.0
    assert not diagnosis.scene_shift_undetermined
    # Without a baseline there is no shift to decide: no such metric.
    alone = diagnose([frame(textured(), 2.0, 4)], baseline=None, thresholds=T)
    assert SCENE_SHIFT_UNDETERMINED not in alone.metrics


def test_a_wrong_sway_estimate_does_not_read_as_a_shift(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sway is a hypothesis: the frame is also compared as found. A wrong estimate
    (phase correlation locked onto night noise) must not lower the similarity of a view
    in place; a real sway is still compensated."""
    base = Baseline.capture([frame(textured(), 2.0, s) for s in range(3)], thresholds=T)
    f = feats(textured(), noise=2.0)
    ref = base.reference_for(f, thresholds=T)
    assert ref is not None
    honest, cells = d.structure_match(f, ref)
    assert honest is not None
    assert honest >= 0.9
    assert cells >= T.scene_min_cells
    monkeypatch.setattr(d, "sway", lambda _f, _r: (0, d.MAX_SWAY))
    fooled, _ = d.structure_match(f, ref)
    assert fooled == honest
    swayed = feats(np.roll(textured(), 2 * d.MAX_SWAY, axis=1), noise=2.0)
    # 2 * MAX_SWAY analysis pixels = MAX_SWAY level-1 pixels, the sway's unit.
    realigned, _ = d.structure_match(swayed, ref)
    as_found, _ = d._structure_match(swayed.orientation, swayed.noise1, ref, None)
    assert realigned is not None
    assert as_found is not None
    assert realigned >= 0.9 > as_found


def test_a_cover_makes_a_weak_shift_undetermined() -> None:
    base = Baseline.capture([frame(textured(), 2.0, s) for s in range(3)], thresholds=T)
    covered = textured()
    covered[:, : W * 2 // 5] = 25.0
    frames = [frame(covered, 1.0, s) for s in (4, 5, 6)]
    diagnosis = diagnose(frames, baseline=base, thresholds=T)
    assert diagnosis.classes == {FaultClass.OCCLUSION}, diagnosis.metrics
    # A clear move with a cover on it is still a move.
    moved = np.roll(textured(2), W // 3, axis=1)
    moved[:, : W // 5] = 25.0
    both = diagnose([frame(moved, 1.0, s) for s in (4, 5, 6)], baseline=base, thresholds=T)
    assert FaultClass.SCENE_SHIFT in both.classes, both.metrics


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"scene_min_cells": 0}, "scene_min_cells"),
        ({"scene_min_similarity_covered": 0.9}, "scene_min_similarity_covered"),
        ({"occlusion_min_level_change": -1.0}, "occlusion_min_level_change"),
    ],
)
def test_new_thresholds_are_validated(values: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        VqdThresholds.from_mapping(values)
