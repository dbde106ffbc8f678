"""Threshold configuration: defaults valid, bad values refused with a clear message."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError

from psvis.health.vqd.baseline import Baseline, BaselineError
from psvis.health.vqd.frames import Frame
from psvis.health.vqd.thresholds import VqdThresholds


def test_defaults_and_overrides() -> None:
    t = VqdThresholds.from_mapping({"noise_max_sigma": 5})
    assert t.noise_max_sigma == 5
    assert t.blur_max_sharpness == VqdThresholds().blur_max_sharpness


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"underexposed_max_mean": 200.0, "overexposed_min_mean": 150.0},
            "underexposed_max_mean must be below",
        ),
        ({"flat_block_std": 9.0, "textured_block_std": 4.0}, "flat_block_std must be below"),
        ({"occlusion_min_fraction": 1.5}, "less than or equal to 1"),
        ({"noise_max_sigma": -1.0}, "greater than 0"),
        ({"frozen_min_frames": 1}, "greater than or equal to 2"),
        ({"frozen_min_frames": 2.5}, "valid integer"),
        ({"noise_max_sigma": "4"}, "valid number"),
        ({"noise_sigma_max": 4.0}, "Extra inputs are not permitted"),
        ({"blur_max_detail_ratio": 1.2}, "less than 1"),
        ({"colour_cast_max_gain_ratio": 0.9}, "greater than 1"),
        ({"blur_min_blocks": 0}, "greater than or equal to 1"),
        ({"exposure_min_gain": 1.0}, "less than 1"),
        # Removed in round 8 (the block means decide): an old setting is refused by name.
        ({"frozen_max_change_vs_noise": 1.5}, "Extra inputs are not permitted"),
        ({"underexposed_max_gain": 0.0}, "greater than 0"),
        ({"underexposed_max_gain": 1.0}, "less than 1"),
        (
            {"underexposed_max_gain": 0.6, "exposure_min_gain": 0.5},
            "underexposed_max_gain must not exceed exposure_min_gain",
        ),
        ({"frozen_max_block_change": 0.0}, "greater than 0"),
        ({"frozen_max_block_change": 65.0}, "less than or equal to 64"),
        ({"frozen_max_block_change": "0.45"}, "valid number"),
        ({"blur_max_sharpness_drop": 0.0}, "greater than 0"),
        ({"blur_max_sharpness_drop": 1.2}, "less than or equal to 1"),
        ({"blur_max_sharpness_drop": "0.85"}, "valid number"),
        ({"night_max_chroma": 0.0}, "greater than 0"),
        ({"night_max_chroma": 65.0}, "less than or equal to 64"),
        ({"overexposed_dark_min_gain": 1.0}, "greater than 1"),
        ({"overexposed_dark_min_gain": 25.0}, "less than or equal to 20"),
        (
            {"overexposed_dark_min_gain": 1.3, "exposure_max_gain": 1.45},
            "overexposed_dark_min_gain must not be below exposure_max_gain",
        ),
    ],
)
def test_bad_values_refused_clearly(values: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        VqdThresholds.from_mapping(values)
    assert message in str(caught.value)


def test_thresholds_are_frozen() -> None:
    t = VqdThresholds()
    with pytest.raises(ValidationError):
        t.noise_max_sigma = 9.0  # type: ignore[misc]


def test_baseline_round_trip_and_refusal() -> None:
    rng = np.random.default_rng(3)
    rgb = rng.integers(0, 255, (180, 320, 3), dtype=np.uint8)
    base = Baseline.capture([Frame.from_rgb(rgb)], thresholds=VqdThresholds())
    again = Baseline.from_bytes(base.to_bytes())
    assert again.day is not None
    assert base.day is not None
    assert again.night is None
    assert np.array_equal(again.day.luma, base.day.luma)
    assert np.array_equal(again.day.cb, base.day.cb)
    with pytest.raises(BaselineError):
        Baseline.from_bytes(b"not a baseline")
    with pytest.raises(BaselineError):
        Baseline.capture([], thresholds=VqdThresholds())
