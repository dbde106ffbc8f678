"""Every VQD threshold, its default and its validation.

The defaults were tuned on the tuning half of the evaluation set (``bench/vqd_dataset.py``)
and reported on the held-out half (``bench/vqd_eval.py``, ``bench/RESULTS.md``). Units:
luma and chroma values are on the full 0-255 range of an 8-bit picture at the analysis
size (``frames.ANALYSIS_WIDTH``); fractions are 0-1.

A configuration file passes a mapping; anything unknown, mistyped or inconsistent is
refused with a message naming the field::

    >>> VqdThresholds.from_mapping({"noise_max_sigma": 4.0}).noise_max_sigma
    4.0
    >>> VqdThresholds.from_mapping({"underexposed_max_mean": 250})
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.ValidationError: 1 validation error for VqdThresholds
    ...
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["VqdThresholds"]


class VqdThresholds(BaseModel):
    """Thresholds of the detectors. Each description is the documentation."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, validate_default=True)

    # ---- signal loss
    uniform_tolerance: float = Field(
        default=6.0,
        gt=0,
        le=64,
        description="Luma distance from the frame's median within which a pixel counts as "
        "'the same' for the uniform-screen test.",
    )
    signal_loss_min_uniform_fraction: float = Field(
        default=0.90,
        gt=0.5,
        le=1.0,
        description="Fraction of uniform pixels from which a frame is a uniform screen "
        "(signal loss). Below 1 so an on-screen clock or channel name does not hide it.",
    )
    black_max_luma: float = Field(
        default=40.0,
        ge=0,
        le=128,
        description="Median luma at or below which a uniform screen is black.",
    )
    blue_min_cb: float = Field(
        default=25.0,
        gt=0,
        le=127,
        description="Mean blue-difference chroma (Cb, centred) from which a uniform screen is "
        "the blue screen of a recorder without input.",
    )
    # ---- blur
    blur_max_sharpness: float = Field(
        default=0.78,
        gt=0,
        lt=1.5,
        description="Sharpness (fine-scale over coarse-scale edge gradient, noise removed) at "
        "or below which a frame is blurred.",
    )
    blur_max_sharpness_drop: float = Field(
        default=0.85,
        gt=0,
        le=1.0,
        description="With a baseline, for a frame judged on its own sharpness (badly exposed, "
        "or behind a dominant cover): "
        "sharpness over the reference's sharpness at or below which it is blurred (both this "
        "and blur_max_sharpness must hold). The whole-frame analogue of blur_max_detail_ratio, "
        "and the same bar.",
    )
    blur_max_detail_ratio: float = Field(
        default=0.85,
        gt=0,
        lt=1,
        description="With a baseline: fine detail kept against the reference (fine-scale over "
        "coarse-scale gradient energy, each over the reference's; 1 unchanged, towards 0.25 "
        "for a wide defocus) at or below which a frame is blurred.",
    )
    blur_min_block_energy: float = Field(
        default=16.0,
        gt=0,
        le=10_000,
        description="Noise-corrected gradient energy (luma levels squared) a 20x20 block needs "
        "at both scales to count for the reference-relative blur measure.",
    )
    blur_min_blocks: int = Field(
        default=8,
        ge=1,
        le=1000,
        description="Blocks needed for the reference-relative blur measure; with fewer (a dark, "
        "foggy or covered view) the frame's own sharpness is used.",
    )
    blur_min_edge_fraction: float = Field(
        default=0.08,
        ge=0,
        le=1,
        description="Fraction of blocks with an edge below which blur is not judged: a picture "
        "without edges (fog, darkness, a bare wall) is not evidence of defocus.",
    )
    # ---- exposure and contrast
    clip_high_luma: float = Field(
        default=250.0,
        gt=128,
        le=255,
        description="Luma from which a pixel counts as clipped white.",
    )
    clip_low_luma: float = Field(
        default=12.0, ge=0, lt=128, description="Luma up to which a pixel counts as crushed black."
    )
    overexposed_min_mean: float = Field(
        default=150.0, gt=0, le=255, description="Mean luma from which a frame is overexposed."
    )
    overexposed_min_clipped: float = Field(
        default=0.30,
        gt=0,
        le=1,
        description="Fraction of clipped-white pixels from which a frame is overexposed.",
    )
    underexposed_max_mean: float = Field(
        default=45.0,
        ge=0,
        lt=255,
        description="Mean luma at or below which a frame is underexposed.",
    )
    underexposed_min_crushed: float = Field(
        default=0.60,
        gt=0,
        le=1,
        description="Fraction of crushed-black pixels from which a frame is underexposed.",
    )
    exposure_max_gain: float = Field(
        default=1.45,
        gt=1,
        le=10,
        description="With a baseline: mean luma this many times the reference's (and above "
        "exposure_relative_min_mean) is overexposed - an infrared night picture is dim, so a "
        "flooded one can stay below overexposed_min_mean.",
    )
    exposure_relative_min_mean: float = Field(
        default=100.0,
        ge=0,
        le=255,
        description="Mean luma below which the relative overexposure test does not apply "
        "(unless the gain reaches overexposed_dark_min_gain).",
    )
    overexposed_dark_min_gain: float = Field(
        default=2.0,
        gt=1,
        le=20,
        description="With a baseline: mean luma this many times the reference's is overexposed "
        "even below exposure_relative_min_mean (above underexposed_max_mean) - a view dark by "
        "nature (a road sign under trees, a dim hall, a candle-lit room) brightened two-fold "
        "stays under that mean (round 15). A day's lighting swings a clean view to ~1.5x "
        "its reference at most.",
    )
    overexposed_min_spread_ratio: float = Field(
        default=0.75,
        gt=0,
        le=10,
        description="With a baseline: a frame far brighter than the reference is overexposed "
        "if its luma spread is above this share of the reference's (a gain) or it clips "
        "(overexposed_min_clipped_bright); brighter and flatter is haze (low contrast).",
    )
    overexposed_min_clipped_bright: float = Field(
        default=0.1,
        gt=0,
        le=1,
        description="With a baseline: clipped-white fraction from which a frame far brighter "
        "than the reference is overexposed whatever its spread (clipping flattens it).",
    )
    exposure_min_gain: float = Field(
        default=0.6,
        gt=0,
        lt=1,
        description="With a baseline: a dark frame (see underexposed_max_mean) is underexposed "
        "only at or below this share of the reference's mean luma - a scene dark by nature "
        "is not a fault.",
    )
    underexposed_max_gain: float = Field(
        default=0.52,
        gt=0,
        lt=1,
        description="With a baseline: the visible blocks' level at or below this share of the "
        "reference's (upper quartile of per-block ratios) is underexposed whatever the mean "
        "luma - a bright sky can keep a picture at a third of its normal level above "
        "underexposed_max_mean, and a bright view at half its level stays above it too "
        "(round 14). A day's lighting swings a clean view to ~0.64 at the least.",
    )
    low_contrast_max_spread_ratio: float = Field(
        default=0.6,
        gt=0,
        lt=1,
        description="With a baseline: contrast (luma spread over mean luma) at or below this "
        "share of the reference's is low contrast; above it a bright frame is overexposed "
        "rather than hazy.",
    )
    low_contrast_max_spread: float = Field(
        default=60.0,
        gt=0,
        le=255,
        description="Luma spread (98th minus 2nd percentile) at or below which a correctly "
        "exposed frame has low contrast (fog, haze, a dirty window).",
    )
    # ---- colour
    colour_cast_max_shift: float = Field(
        default=8.0,
        gt=0,
        le=128,
        description="Mean chroma offset (Cb, Cr vector length) from neutral - or, with a "
        "baseline, from the day reference's - above which a frame has a colour cast.",
    )
    colour_cast_max_gain_ratio: float = Field(
        default=1.28,
        gt=1,
        le=10,
        description="With a day baseline: the largest over the smallest RGB channel gain against "
        "the reference (block-mean regression) from which a frame has a colour cast.",
    )
    colour_cast_min_channel_std: float = Field(
        default=6.0,
        ge=0,
        le=128,
        description="A channel whose block means vary less than this in the reference is left "
        "out of the gain comparison (its slope would be noise).",
    )
    colour_cast_min_ratio: float = Field(
        default=0.8,
        ge=0,
        le=100,
        description="Without a baseline: the cast must also be this large against the spread "
        "of the frame's chroma (a colourful scene is not a cast).",
    )
    colour_cast_guard_min_luma_std: float = Field(
        default=10.0,
        ge=0,
        le=128,
        description="Luma standard deviation below which colour cast is not judged: a "
        "near-uniform frame (a wall, a screen) has the colour of its subject.",
    )
    night_max_chroma: float = Field(
        default=1.0,
        gt=0,
        le=64,
        description="Mean absolute chroma at or below which a frame is greyscale (infrared night "
        "mode): compared with the night reference, never judged for colour cast. An infrared "
        "picture has no chroma at all; a colour sensor's own chroma noise keeps even a grey "
        "day scene (concrete, an underpass) above 1.4.",
    )
    # ---- noise
    noise_max_sigma: float = Field(
        default=3.5,
        gt=0,
        le=128,
        description="Estimated noise standard deviation (luma levels at the analysis size) above "
        "which a frame is noisy.",
    )
    # ---- frozen
    frozen_min_frames: int = Field(
        default=3,
        ge=2,
        le=100,
        description="Keyframes needed to judge a frozen image (all identical within noise).",
    )
    frozen_max_change: float = Field(
        default=1.1,
        gt=0,
        le=64,
        description="Change between consecutive keyframes (90th percentile of 10x10 block mean "
        "absolute differences, luma levels) at or below which they are identical.",
    )
    frozen_max_block_change: float = Field(
        default=0.45,
        gt=0,
        le=64,
        description="The 90th percentile of 10x10 block *signed* mean differences between "
        "consecutive keyframes (luma levels) at or below which they are identical (both this "
        "and frozen_max_change must hold): re-encoding a picture leaves its block means put "
        "(tuning split, frozen moderate/strong: <= 0.41), a live scene's move by motion, "
        "lighting drift or fresh noise (clean windows within the change: >= 0.54).",
    )
    # ---- occlusion
    flat_block_std: float = Field(
        default=2.5,
        gt=0,
        le=64,
        description="Block luma standard deviation at or below which a block has no texture.",
    )
    textured_block_std: float = Field(
        default=5.0,
        gt=0,
        le=128,
        description="Reference block standard deviation from which the block had texture at "
        "acceptance (only those can be found covered).",
    )
    occlusion_min_fraction: float = Field(
        default=0.15,
        gt=0,
        le=1,
        description="Fraction of the reference's textured blocks now flat from which the view is "
        "partly occluded.",
    )
    occlusion_min_fraction_without_baseline: float = Field(
        default=0.5,
        gt=0,
        le=1,
        description="Without a baseline: fraction of all blocks flat and dark from which the view "
        "is occluded (stricter: nothing tells a covered lens from a dark wall).",
    )
    occlusion_min_level_change: float = Field(
        default=24.0,
        gt=0,
        le=255,
        description="With a baseline: luma levels off the frame's level map (the affine map of the "
        "reference's block means) from which a flat block that was already plain at acceptance "
        "counts as covered (a cover over a featureless region at a level of its own).",
    )
    # ---- scene shift
    scene_min_similarity: float = Field(
        default=0.74,
        gt=-1,
        lt=1,
        description="Structure similarity with the reference (gradient-orientation field, -1..1) "
        "below which the camera has moved, turned or zoomed.",
    )
    scene_min_similarity_covered: float = Field(
        default=0.5,
        gt=-1,
        lt=1,
        description="When a cover is found against the reference, or the picture is far darker, "
        "noisy or hazy: structure similarity of the visible part below which the view has "
        "shifted all the same (stronger evidence than scene_min_similarity; above it the other "
        "fault is reported and the shift undetermined). Also the similarity from which a "
        "uniform (very dark) frame still shows the reference's scene: underexposed, not lost.",
    )
    scene_min_cells: int = Field(
        default=10,
        ge=1,
        le=48,
        description="Fewest structured cells (of the 8x6 grid, compared with the reference) on "
        "which a scene-shift verdict is given; with fewer, scene shift is undetermined (no fault, "
        "and no evidence that the view is right).",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        problems: list[str] = []
        if not self.underexposed_max_mean < self.overexposed_min_mean:
            problems.append("underexposed_max_mean must be below overexposed_min_mean")
        if not self.clip_low_luma < self.clip_high_luma:
            problems.append("clip_low_luma must be below clip_high_luma")
        if not self.flat_block_std < self.textured_block_std:
            problems.append("flat_block_std must be below textured_block_std")
        if not self.underexposed_max_gain <= self.exposure_min_gain:
            problems.append("underexposed_max_gain must not exceed exposure_min_gain")
        if not self.scene_min_similarity_covered <= self.scene_min_similarity:
            problems.append("scene_min_similarity_covered must not exceed scene_min_similarity")
        if not self.exposure_max_gain <= self.overexposed_dark_min_gain:
            problems.append("overexposed_dark_min_gain must not be below exposure_max_gain")
        if not self.black_max_luma < self.overexposed_min_mean:
            problems.append("black_max_luma must be below overexposed_min_mean")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> VqdThresholds:
        """Thresholds from a configuration mapping (defaults for what it does not name)."""
        return cls.model_validate(dict(values))
