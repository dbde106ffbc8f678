"""The baseline a camera is compared with: what it saw when it was accepted.

Two references, day (colour) and night (greyscale, infrared): the nightly switch to
infrared changes the picture completely - colours vanish, foliage turns white, noise
rises - so a night frame is compared only with the night reference. Each reference is
the pixel-wise median of the keyframes captured for it (moving objects and noise drop
out), stored as small planes at the analysis size; the detectors' measurements of a
reference are recomputed on load, so a change of detector never invalidates stored
baselines. One measurement needs the keyframes themselves and is stored with each
reference: the fine detail those keyframes read against their median (round 17; see
``Features.own_detail``). A baseline stored without it compares detail plainly (1.0).

Serialised with :meth:`Baseline.to_bytes` (an ``.npz``: uint8 luma, int8 chroma, the
own detail, a format version; ~30 KB per reference compressed) for a database column
or a file::

    baseline = Baseline.capture(frames, thresholds=VqdThresholds())
    restored = Baseline.from_bytes(baseline.to_bytes())
"""

from __future__ import annotations

import dataclasses
import io
from collections import Counter
from collections.abc import Sequence

import numpy as np

from psvis.health.vqd.detectors import detail_ratio, is_night
from psvis.health.vqd.features import Features, features_of
from psvis.health.vqd.frames import Frame
from psvis.health.vqd.thresholds import VqdThresholds

__all__ = ["FORMAT_VERSION", "Baseline", "BaselineError"]

#: 2 adds each reference's ``own_detail`` (read as 1.0 from a version-1 baseline).
FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)

#: The range an ``own_detail`` is kept in: outside it the capture was not a camera's
#: clean frames, and the plain comparison (1.0 at the edge of the range) is safer.
OWN_DETAIL_RANGE = (0.8, 1.5)


class BaselineError(ValueError):
    """A baseline could not be built or read."""


def _shift_to(luma: np.ndarray, anchor: np.ndarray, limit: int) -> tuple[int, int]:
    """Integer displacement of ``luma`` against ``anchor`` (phase correlation); (0, 0)
    beyond ``limit`` pixels - that is not sway."""
    fa = np.fft.rfft2(luma - luma.mean())
    fb = np.fft.rfft2(anchor - anchor.mean())
    cross = fa * np.conj(fb)
    corr = np.fft.irfft2(cross / (np.abs(cross) + 1e-6), s=luma.shape)
    y, x = np.unravel_index(int(np.argmax(corr)), corr.shape)
    dy = int(y) if y <= luma.shape[0] // 2 else int(y) - luma.shape[0]
    dx = int(x) if x <= luma.shape[1] // 2 else int(x) - luma.shape[1]
    return (dy, dx) if max(abs(dy), abs(dx)) <= limit else (0, 0)


#: Largest sway (analysis pixels) the keyframes of a reference are realigned for.
MAX_ALIGN = 8


def _median_frame(frames: Sequence[Frame]) -> Frame:
    """Pixel-wise median of the keyframes, each first realigned to their median position:
    a pole's sway would otherwise smear the reference, and a smeared reference makes
    every sharp frame look sharper than at acceptance (and a blur look like none)."""
    shapes = Counter(f.luma.shape for f in frames)
    shape = shapes.most_common(1)[0][0]
    same = [f for f in frames if f.luma.shape == shape]
    shifts = np.array([_shift_to(f.luma, same[0].luma, MAX_ALIGN) for f in same])
    centre = np.median(shifts, axis=0).round().astype(int)
    lumas, cbs, crs = [], [], []
    for frame, (dy, dx) in zip(same, shifts - centre, strict=True):
        lumas.append(np.roll(frame.luma, (-int(dy), -int(dx)), axis=(0, 1)))
        cy, cx = round(dy / 2), round(dx / 2)
        cbs.append(np.roll(frame.cb, (-cy, -cx), axis=(0, 1)))
        crs.append(np.roll(frame.cr, (-cy, -cx), axis=(0, 1)))
    return Frame(
        luma=np.median(np.stack(lumas), axis=0).astype(np.float32),
        cb=np.median(np.stack(cbs), axis=0).astype(np.float32),
        cr=np.median(np.stack(crs), axis=0).astype(np.float32),
    )


def _quantised(frame: Frame) -> Frame:
    """The frame as it will be stored (uint8 luma, int8 chroma), so a baseline compares
    the same before and after a round trip."""
    return Frame(
        luma=np.clip(np.rint(frame.luma), 0, 255).astype(np.uint8).astype(np.float32),
        cb=np.clip(np.rint(frame.cb), -128, 127).astype(np.int8).astype(np.float32),
        cr=np.clip(np.rint(frame.cr), -128, 127).astype(np.int8).astype(np.float32),
    )


def _own_detail(frames: Sequence[Features], ref: Frame, thresholds: VqdThresholds) -> float:
    """The least fine detail any of the keyframes a reference was made from reads against
    it (see ``Features.own_detail``), kept within ``OWN_DETAIL_RANGE``; 1.0 when none can
    be measured.

    The least, not the median: at night a clean frame's detail against the reference
    rises with the noise the estimate leaves (a tower by night, 1.13-1.90 over its
    clean frames, 1.27-1.76 over its acceptance keyframes), and scaled by the median
    (1.45) a quarter of its clean night windows fell under the blur bar on the tuning
    split (41 false alarms); scaled by the least, no clean window changed."""
    measured = features_of(ref)
    kept = [k for f in frames if (k := detail_ratio(f, measured, thresholds)) is not None]
    if not kept:
        return 1.0
    low, high = OWN_DETAIL_RANGE
    return float(np.clip(min(kept), low, high))


class Baseline:
    """Day and night references of one camera (either may be missing), each with the
    detail its own keyframes read against it (``day_detail``, ``night_detail``)."""

    __slots__ = ("_features", "day", "day_detail", "night", "night_detail")

    def __init__(
        self,
        *,
        day: Frame | None,
        night: Frame | None,
        day_detail: float = 1.0,
        night_detail: float = 1.0,
    ) -> None:
        if day is None and night is None:
            raise BaselineError("a baseline needs a day or a night reference")
        for detail in (day_detail, night_detail):
            if not OWN_DETAIL_RANGE[0] <= detail <= OWN_DETAIL_RANGE[1]:
                raise BaselineError(f"own detail {detail} outside {OWN_DETAIL_RANGE}")
        self.day = _quantised(day) if day is not None else None
        self.night = _quantised(night) if night is not None else None
        self.day_detail = day_detail
        self.night_detail = night_detail
        self._features: dict[str, Features] = {}

    @classmethod
    def capture(cls, frames: Sequence[Frame], *, thresholds: VqdThresholds) -> Baseline:
        """References from keyframes captured at acceptance (day and/or night ones);
        greyscale frames go to the night reference, colour ones to the day reference."""
        if not frames:
            raise BaselineError("no keyframes to capture a baseline from")
        feats = [features_of(frame) for frame in frames]
        # The day's colour is that of the frames clearly in colour; a frame under the bar
        # is infrared only if it has almost none of it (a grey day scene's frames sit
        # near the bar, on either side: round 16's foggy field).
        colour = [f.saturation for f in feats if not is_night(f, thresholds)]
        day_saturation = float(np.median(colour)) if colour else None
        day: list[Frame] = []
        night: list[Frame] = []
        day_feats: list[Features] = []
        night_feats: list[Features] = []
        for frame, f in zip(frames, feats, strict=True):
            greyscale = is_night(f, thresholds, day_saturation=day_saturation)
            (night if greyscale else day).append(frame)
            (night_feats if greyscale else day_feats).append(f)
        day_ref = _quantised(_median_frame(day)) if day else None
        night_ref = _quantised(_median_frame(night)) if night else None
        return cls(
            day=day_ref,
            night=night_ref,
            day_detail=_own_detail(day_feats, day_ref, thresholds) if day_ref else 1.0,
            night_detail=_own_detail(night_feats, night_ref, thresholds) if night_ref else 1.0,
        )

    def with_reference(self, frames: Sequence[Frame], *, thresholds: VqdThresholds) -> Baseline:
        """This baseline with the references ``frames`` provide replaced (e.g. adding the
        night reference after the first night)."""
        other = Baseline.capture(frames, thresholds=thresholds)
        day, night = other.day is not None, other.night is not None
        return Baseline(
            day=other.day if day else self.day,
            night=other.night if night else self.night,
            day_detail=other.day_detail if day else self.day_detail,
            night_detail=other.night_detail if night else self.night_detail,
        )

    def is_night(self, frame: Features, *, thresholds: VqdThresholds) -> bool:
        """Whether ``frame`` is an infrared (greyscale) one: see
        :func:`~psvis.health.vqd.detectors.is_night`, judged against the day reference's
        colour when there is one."""
        day = self._measured("day")
        return is_night(frame, thresholds, day_saturation=day.saturation if day else None)

    def reference_for(self, frame: Features, *, thresholds: VqdThresholds) -> Features | None:
        """The measurements of the reference matching ``frame`` (night for a greyscale
        frame, else day), or None when that reference was never captured."""
        ref = self._measured("night" if self.is_night(frame, thresholds=thresholds) else "day")
        if ref is None or ref.frame.luma.shape != frame.frame.luma.shape:
            return None
        return ref

    def _measured(self, key: str) -> Features | None:
        """The measurements of the ``key`` reference (computed once), None if missing."""
        ref: Frame | None = self.night if key == "night" else self.day
        if ref is None:
            return None
        if key not in self._features:
            detail = self.night_detail if key == "night" else self.day_detail
            self._features[key] = dataclasses.replace(features_of(ref), own_detail=detail)
        return self._features[key]

    # ---- serialisation

    def to_bytes(self) -> bytes:
        """The baseline as ``.npz`` bytes (see the module docstring)."""
        arrays: dict[str, np.ndarray] = {"version": np.array([FORMAT_VERSION], dtype=np.int32)}
        for name, ref in (("day", self.day), ("night", self.night)):
            if ref is not None:
                arrays[f"{name}_luma"] = ref.luma.astype(np.uint8)
                arrays[f"{name}_cb"] = ref.cb.astype(np.int8)
                arrays[f"{name}_cr"] = ref.cr.astype(np.int8)
                arrays[f"{name}_detail"] = np.array([getattr(self, f"{name}_detail")])
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)  # type: ignore[arg-type]
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> Baseline:
        """A baseline from :meth:`to_bytes` output; refuses other formats clearly."""
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as npz:
                arrays = {key: npz[key] for key in npz.files}
        except (OSError, ValueError) as exc:
            raise BaselineError(f"not a stored baseline: {exc}") from exc
        version = arrays.get("version")
        if version is None or version.shape != (1,) or int(version[0]) not in READABLE_VERSIONS:
            raise BaselineError(f"unsupported baseline format version {version}")
        refs: dict[str, Frame | None] = {}
        details: dict[str, float] = {}
        try:
            for name in ("day", "night"):
                refs[name] = None
                details[name] = 1.0
                if f"{name}_luma" in arrays:
                    refs[name] = Frame(
                        luma=arrays[f"{name}_luma"].astype(np.float32),
                        cb=arrays[f"{name}_cb"].astype(np.float32),
                        cr=arrays[f"{name}_cr"].astype(np.float32),
                    )
                    if f"{name}_detail" in arrays:
                        details[name] = float(arrays[f"{name}_detail"].reshape(-1)[0])
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise BaselineError(f"not a stored baseline: {exc}") from exc
        return cls(
            day=refs["day"],
            night=refs["night"],
            day_detail=details["day"],
            night_detail=details["night"],
        )
