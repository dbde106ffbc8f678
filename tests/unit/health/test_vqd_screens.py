"""A blue or mid-grey screen is lost video whatever the reference looks like — even with
a faint ghost of the scene left in it; only a black frame may be a scene too dark to see
(diagnose's signal-loss rescue)."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray

from psvis.health.vqd.baseline import Baseline
from psvis.health.vqd.diagnose import FaultClass, diagnose
from tests.unit.health.vqd_pictures import H, T, W, frame

#: The share of the scene left in a screen: its structure survives (the reference's
#: edges, faintly) while the frame stays uniform within the detector's tolerance.
GHOST = 0.06


def stairwell() -> NDArray[np.float32]:
    """Periodic step edges (stairs) over a wall: the structure a flat frame's orientation
    noise can happen to correlate with."""
    img = np.full((H, W, 3), 120.0, dtype=np.float32)
    for y in range(0, H, 12):
        img[y : y + 6, :, :] = 70.0
    img[:, : W // 3] = 160.0
    return img


@pytest.mark.parametrize(
    ("colour", "kind"), [((16, 16, 200), "blue"), ((128, 128, 128), "uniform")]
)
@pytest.mark.parametrize("ghost", [0.0, GHOST])
def test_a_flat_screen_is_signal_loss_against_a_structured_reference(
    colour: tuple[int, int, int], kind: str, ghost: float
) -> None:
    base = Baseline.capture([frame(stairwell(), noise=1.5, seed=s) for s in range(3)], thresholds=T)
    screen = np.empty((H, W, 3), dtype=np.float32)
    screen[:] = colour
    screen = (1 - ghost) * screen + ghost * stairwell()
    diagnosis = diagnose([frame(screen, noise=0.0) for _ in range(3)], baseline=base, thresholds=T)
    lost = diagnosis.fault(FaultClass.SIGNAL_LOSS)
    assert lost is not None, diagnosis
    assert lost.detail == kind
    assert diagnosis.classes == {FaultClass.SIGNAL_LOSS}


def test_a_very_dark_scene_that_shows_its_structure_is_not_lost() -> None:
    base = Baseline.capture([frame(stairwell(), noise=1.5, seed=s) for s in range(3)], thresholds=T)
    dark = [frame(stairwell() * 0.12, noise=1.0, seed=s) for s in (4, 5, 6)]
    diagnosis = diagnose(dark, baseline=base, thresholds=T)
    assert FaultClass.SIGNAL_LOSS not in diagnosis.classes, diagnosis
    assert FaultClass.UNDEREXPOSED in diagnosis.classes, diagnosis
