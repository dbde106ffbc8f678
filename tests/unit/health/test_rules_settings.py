"""Health settings: VQD thresholds overridable and validated — bad values are refused
clearly when the settings are read (start-up), naming the field."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from psvis.core.config import Settings


def test_thresholds_are_overridable() -> None:
    settings = Settings(vqd_thresholds={"noise_max_sigma": 4, "scene_min_similarity": 0.6})
    thresholds = settings.vqd()
    assert thresholds.noise_max_sigma == 4.0
    assert thresholds.scene_min_similarity == 0.6
    assert thresholds.blur_max_sharpness == Settings().vqd().blur_max_sharpness


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"noise_max_sigmaa": 4}, "noise_max_sigmaa: Extra inputs are not permitted"),
        ({"noise_max_sigma": -1}, "noise_max_sigma: Input should be greater than 0"),
        ({"frozen_min_frames": 2.5}, "frozen_min_frames"),
        (
            {"underexposed_max_mean": 200, "overexposed_min_mean": 150},
            "underexposed_max_mean must be below overexposed_min_mean",
        ),
    ],
)
def test_bad_thresholds_are_refused_naming_the_field(
    overrides: dict[str, float], message: str
) -> None:
    with pytest.raises(ValidationError, match="invalid VQD thresholds") as caught:
        Settings(vqd_thresholds=overrides)
    assert message in str(caught.value)


def test_bad_thresholds_from_the_environment_stop_start_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PSVIS_VQD_THRESHOLDS", '{"clip_low_luma": 100, "clip_high_luma": 130}')
    assert Settings().vqd().clip_low_luma == 100.0
    monkeypatch.setenv("PSVIS_VQD_THRESHOLDS", '{"clip_low_luma": 240}')
    with pytest.raises(ValidationError, match="clip_low_luma: Input should be less than 128"):
        Settings()


@pytest.mark.parametrize(
    "field",
    ["vqd_cadence_seconds", "vqd_keyframes", "ticket_outage_minutes", "repair_deadline_hours"],
)
def test_health_timings_must_be_positive(field: str) -> None:
    with pytest.raises(ValidationError, match=field):
        Settings.model_validate({field: 0})
