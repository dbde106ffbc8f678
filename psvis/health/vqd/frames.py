"""Frames prepared for diagnosis.

A :class:`Frame` is a picture at the *analysis size* (``ANALYSIS_WIDTH`` wide, height by
the aspect ratio, even): full-range luma (0-255, float32) and the two chroma planes
centred on zero (Cb, Cr: -128..127, float32) at half the luma size, as a 4:2:0 decoder
gives them. Every detector works on these planes only, so a 1080p and a CIF camera are
judged at the same scale.

Two ways in:

* :meth:`Frame.from_rgb` - a numpy ``uint8`` RGB array ``H x W x 3`` of any size (tests,
  images): converted with BT.601 full-range coefficients and downscaled by area averaging;
* :meth:`Frame.from_yuv420` - the planes of a decoded 4:2:0 frame already scaled to the
  analysis size (``keyframes.py`` lets the decoder's scaler do that), limited ("TV",
  16-235) or full range.

Area averaging (each output pixel the mean of the input pixels it covers) is chosen
because it is what a sensor with bigger pixels would see: noise is averaged down
by the scale factor, and nothing aliases into false edges.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.typing import NDArray

__all__ = ["ANALYSIS_WIDTH", "FloatArray", "Frame", "analysis_size", "resize_area"]

FloatArray = NDArray[np.float32]

#: Width of every analysed picture. 320 px keeps each detector well under a millisecond
#: while a defocus of ~1 % of the picture width is still a visible edge spread.
ANALYSIS_WIDTH = 320


def analysis_size(
    width: int, height: int, *, target_width: int = ANALYSIS_WIDTH
) -> tuple[int, int]:
    """(width, height) of the analysis picture for a source of ``width x height``
    (aspect kept, both even, never upscaled past the source)."""
    if width <= 0 or height <= 0:
        raise ValueError(f"frame size must be positive, got {width}x{height}")
    out_w = min(target_width, width) // 2 * 2
    out_h = max(2, round(out_w * height / width / 2) * 2)
    return max(2, out_w), out_h


@cache
def _area_matrix(n_in: int, n_out: int) -> NDArray[np.float32]:
    """(n_out x n_in) weights: output cell i averages the input span it covers."""
    edges = np.linspace(0.0, n_in, n_out + 1)
    weights = np.zeros((n_out, n_in), dtype=np.float64)
    for i in range(n_out):
        lo, hi = edges[i], edges[i + 1]
        first, last = int(np.floor(lo)), min(int(np.ceil(hi)), n_in)
        for j in range(first, last):
            weights[i, j] = min(hi, j + 1) - max(lo, j)
        weights[i] /= hi - lo
    return weights.astype(np.float32)


def resize_area(plane: NDArray[np.generic], height: int, width: int) -> FloatArray:
    """``plane`` (2-D) resampled to ``height x width`` by area averaging (float32)."""
    src = np.asarray(plane, dtype=np.float32)
    if src.ndim != 2:
        raise ValueError(f"resize_area takes a 2-D plane, got shape {src.shape}")
    if src.shape == (height, width):
        return src
    rows = _area_matrix(src.shape[0], height)
    cols = _area_matrix(src.shape[1], width)
    out: FloatArray = (rows @ src @ cols.T).astype(np.float32, copy=False)
    return out


@dataclass(frozen=True, slots=True)
class Frame:
    """One picture ready for diagnosis (see the module docstring for the planes)."""

    luma: FloatArray
    cb: FloatArray
    cr: FloatArray

    def __post_init__(self) -> None:
        for name in ("luma", "cb", "cr"):
            plane = getattr(self, name)
            if not isinstance(plane, np.ndarray) or plane.ndim != 2 or plane.dtype != np.float32:
                raise ValueError(f"Frame.{name} must be a 2-D float32 array")
        if self.cb.shape != self.cr.shape:
            raise ValueError("Frame.cb and Frame.cr must have the same shape")
        if min(self.luma.shape) < 8:
            raise ValueError(f"frame too small to analyse: {self.luma.shape}")

    @property
    def height(self) -> int:
        return int(self.luma.shape[0])

    @property
    def width(self) -> int:
        return int(self.luma.shape[1])

    @classmethod
    def from_rgb(cls, rgb: NDArray[np.uint8], *, width: int = ANALYSIS_WIDTH) -> Frame:
        """A frame from an ``H x W x 3`` uint8 RGB array, scaled to ``width`` wide."""
        if rgb.ndim != 3 or rgb.shape[2] != 3:
            raise ValueError(f"expected an H x W x 3 RGB array, got shape {rgb.shape}")
        out_w, out_h = analysis_size(rgb.shape[1], rgb.shape[0], target_width=width)
        channels = [resize_area(rgb[:, :, i], out_h, out_w) for i in range(3)]
        r, g, b = channels
        # BT.601 full range (JFIF): the matrix H.264 cameras signal by default.
        luma = (0.299 * r + 0.587 * g + 0.114 * b).astype(np.float32)
        cb = (-0.168736 * r - 0.331264 * g + 0.5 * b).astype(np.float32)
        cr = (0.5 * r - 0.418688 * g - 0.081312 * b).astype(np.float32)
        half = (out_h // 2, out_w // 2)
        return cls(luma=luma, cb=resize_area(cb, *half), cr=resize_area(cr, *half))

    @classmethod
    def from_yuv420(
        cls,
        y: NDArray[np.uint8],
        u: NDArray[np.uint8],
        v: NDArray[np.uint8],
        *,
        full_range: bool,
    ) -> Frame:
        """A frame from 4:2:0 planes already at the analysis size.

        ``full_range`` False means limited ("TV") range - luma 16-235, chroma 16-240 - the
        H.264 default; those are stretched to full range so thresholds mean the same.
        """
        luma = y.astype(np.float32)
        cb = u.astype(np.float32) - 128.0
        cr = v.astype(np.float32) - 128.0
        if not full_range:
            luma = (luma - 16.0) * np.float32(255.0 / 219.0)
            np.clip(luma, 0.0, 255.0, out=luma)
            cb *= np.float32(255.0 / 224.0)
            cr *= np.float32(255.0 / 224.0)
        return cls(luma=luma, cb=cb, cr=cr)

    def to_rgb(self) -> NDArray[np.uint8]:
        """The frame back as ``H x W x 3`` uint8 RGB (thumbnails, debugging)."""
        cb = np.repeat(np.repeat(self.cb, 2, axis=0), 2, axis=1)
        cr = np.repeat(np.repeat(self.cr, 2, axis=0), 2, axis=1)
        cb = np.pad(
            cb, ((0, self.height - cb.shape[0]), (0, self.width - cb.shape[1])), mode="edge"
        )
        cr = np.pad(
            cr, ((0, self.height - cr.shape[0]), (0, self.width - cr.shape[1])), mode="edge"
        )
        r = self.luma + 1.402 * cr
        g = self.luma - 0.344136 * cb - 0.714136 * cr
        b = self.luma + 1.772 * cb
        rgb = np.stack([r, g, b], axis=2)
        out: NDArray[np.uint8] = np.clip(np.rint(rgb), 0, 255).astype(np.uint8)
        return out
