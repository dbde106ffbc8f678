"""One diagnosis of one camera from a few keyframes.

    >>> diagnosis = diagnose(frames, baseline=baseline, thresholds=VqdThresholds())
    >>> diagnosis.good, [f.fault_class for f in diagnosis.faults], diagnosis.metrics["noise_sigma"]

Per frame, signal loss is decided first: a uniform screen has nothing else to judge.
Then occlusion, whose covered blocks are left out of the exposure and contrast measures
(a black card over the lens is not an underexposed scene) and out of the scene-shift
comparison. A class is a fault when it is found in a strict majority of the frames (one
passing lorry or a single glitched keyframe does not open a ticket); ``frozen`` is judged
on the sequence. Metrics are the median over the frames judged; ``<class>_frames`` counts
the frames each class was found in.
"""

from __future__ import annotations

import statistics
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from psvis.health.vqd import detectors as d
from psvis.health.vqd import registration
from psvis.health.vqd.baseline import Baseline
from psvis.health.vqd.features import Features, features_of
from psvis.health.vqd.frames import Frame
from psvis.health.vqd.thresholds import VqdThresholds

__all__ = ["SCENE_SHIFT_UNDETERMINED", "Diagnosis", "Fault", "FaultClass", "diagnose", "no_video"]

#: Metric set (1.0) when a camera with a baseline was diagnosed without a scene shift but
#: the shift could not be decided in most frames (too little structure to compare, a
#: cover, no night reference): the view is *not* known to be in place. 0.0 when decided.
SCENE_SHIFT_UNDETERMINED = "scene_shift_undetermined"


class FaultClass(StrEnum):
    SIGNAL_LOSS = "signal_loss"
    BLUR = "blur"
    OVEREXPOSED = "overexposed"
    UNDEREXPOSED = "underexposed"
    LOW_CONTRAST = "low_contrast"
    COLOUR_CAST = "colour_cast"
    NOISE = "noise"
    FROZEN = "frozen"
    OCCLUSION = "occlusion"
    SCENE_SHIFT = "scene_shift"


@dataclass(frozen=True, slots=True)
class Fault:
    """One fault found: its class, the frame kept as evidence (index into the frames
    diagnosed; -1 when there was no frame) and a finer kind where one applies."""

    fault_class: FaultClass
    frame_index: int
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """The outcome of :func:`diagnose`."""

    faults: tuple[Fault, ...]
    metrics: dict[str, float]
    frame_count: int
    #: Which reference the frames were compared with: "day", "night", "mixed" or "none".
    reference: str

    @property
    def good(self) -> bool:
        """No fault found."""
        return not self.faults

    @property
    def scene_shift_undetermined(self) -> bool:
        """No scene shift found, but it could not be decided either (see
        ``SCENE_SHIFT_UNDETERMINED``): not evidence that a moved camera was put back."""
        return self.metrics.get(SCENE_SHIFT_UNDETERMINED, 0.0) >= 1.0

    @property
    def classes(self) -> frozenset[FaultClass]:
        return frozenset(f.fault_class for f in self.faults)

    def fault(self, fault_class: FaultClass) -> Fault | None:
        return next((f for f in self.faults if f.fault_class is fault_class), None)


def no_video() -> Diagnosis:
    """The diagnosis when no frame decodes (no segment, or none readable): signal loss
    of kind ``no_video``, decided by the caller."""
    fault = Fault(FaultClass.SIGNAL_LOSS, -1, d.SignalLossKind.NO_VIDEO.value)
    return Diagnosis(faults=(fault,), metrics={}, frame_count=0, reference="none")


#: A cover this many times ``occlusion_min_fraction`` dominates the picture: blur is then
#: judged without the reference (see ``_per_frame``).
DOMINANT_COVER = 2.0

#: Fine detail kept against the reference (``detectors.detail_ratio``) at or below which a
#: frame is clearly defocused: its weak structure match is then no evidence of a shift by
#: itself (see ``_defocused_in_place``). On the tuning split a strong defocus keeps
#: 0.09-0.55 where it reads as a shift; a moved, turned or zoomed view compared in place
#: keeps 0.59-0.85 (a zoom is softer: 0.77-0.84).
DEFOCUS_MAX_DETAIL = 0.55


def _defocused_in_place(feats: Features, ref: Features, t: VqdThresholds) -> bool:
    """A frame whose fine detail is mostly gone, and whose view the search for the
    camera's move (:func:`registration.moved_view`) does not find elsewhere: a defocused
    lens, not a moved camera. Defocus takes the edges' orientation down to the noise, so
    the structure match of a strongly blurred view in place fell to 0.62-0.73 (round 16:
    a street under snow and a dome's square by night, read as moved)."""
    kept = d.detail_ratio(feats, ref, t)
    if kept is None or kept > DEFOCUS_MAX_DETAIL:
        return False
    return registration.moved_view(feats, ref, t) is None


def _per_frame(
    feats: Features, ref: Features | None, t: VqdThresholds
) -> dict[FaultClass, d.Verdict]:
    """Every detector on one frame, in the order that lets one fault explain another:

    1. signal loss - a uniform screen has nothing else to judge;
    2. scene shift, leaving out the cells a cover may have hidden - when the view has
       changed, the reference no longer says what the scene looks like, so occlusion,
       colour cast and blur are judged without it;
    3. occlusion - a cover found against the reference may be a moved view bringing a
       plain part over textured blocks (registration decides: then it is a shift); and
       if what is left visible is dark too, the picture is underexposed, not covered;
    4. exposure and contrast on the visible part, colour cast on a well-exposed frame,
       blur, noise.
    """
    lost = d.signal_loss(feats, t)
    if lost.fault and ref is not None and lost.detail == d.SignalLossKind.BLACK:
        # A very dark picture is uniform too; if the reference's structure is still in it
        # (orientation does not care about the gain), the scene is there: underexposed.
        # The bar is the stronger-evidence one: a dark frame's structure is near the
        # noise (similarity 0.6 for strong underexposure), a uniform screen's is none
        # (at most 0.46 on the tuning split, from encoding artefacts). Only a *dark*
        # uniform frame can be a scene too dark to see: a blue or mid-grey screen is what
        # an encoder or decoder shows when there is no video, never a dim scene, and the
        # orientation field of a flat frame is noise that can happen to correlate with
        # the reference's edges (round 5: a blue screen at 0.74 on a stairwell).
        similarity = d.structure_similarity(feats, ref)
        if similarity is not None:
            lost.metrics["loss_structure_similarity"] = similarity
        if similarity is not None and similarity >= t.scene_min_similarity_covered:
            lost = d.Verdict(False, lost.metrics)
    verdicts = {FaultClass.SIGNAL_LOSS: lost}
    if lost.fault:
        return verdicts
    candidates, _ = d.covered_blocks(feats, ref, t, plain=False)
    # Blown-out blocks have lost their structure as a cover has: not a changed view.
    candidates = candidates | (feats.block_mean >= t.clip_high_luma - 5)
    shifted = d.scene_shift(feats, ref, t, covered=candidates)
    if (
        shifted.fault
        and shifted.metrics["structure_similarity"] >= t.scene_min_similarity_covered
        and (
            d.occlusion(feats, ref, t, plain=False)[0].fault
            or d.underexposed(feats, t, ref=ref, in_place=False).fault
            or d.noise(feats, t, ref=ref).fault
            or d.low_contrast(feats, t, ref=ref).fault
            or (ref is not None and _defocused_in_place(feats, ref, t))
        )
    ):
        # A cover found against the reference (its area was left out of the comparison
        # already): what is left is a part of the view, and its comparison is weaker
        # evidence than the whole's - a moved view also looks "covered" against the
        # reference (its textured blocks now see plain ones), so only a clear shift of
        # the visible part is a shift; otherwise the cover is the fault, and the shift
        # undetermined, not "in place". Likewise a picture far darker than the
        # reference, a noisy one, one behind haze (round 4: strong fog and strong night
        # noise read as a shift) or a defocused one (round 17): its structure is near the
        # noise, and so is the comparison, even net of the noise's energy.
        shifted = d.Verdict(False, shifted.metrics, judged=False, detail=d.UNDETERMINED)
    if not shifted.fault:
        occluded, covered = d.occlusion(feats, ref, t)
    if not shifted.fault and occluded.fault and ref is not None:
        # A moved view looks "covered" against the reference where it brings a plain
        # part over textured blocks, and then leaves too little to compare (round 11: a
        # square's dark sky moved over its lit buildings). A cover leaves the rest of the
        # view in place; a move shows the reference elsewhere - is it found there?
        moved = registration.moved_view(feats, ref, t)
        if moved is not None:
            shifted = d.Verdict(True, {**shifted.metrics, **moved.metrics})
    if shifted.fault:
        # A changed view is judged without the reference's positions, but with its
        # make-up: the dark, plain share of the picture it had is the scene's, not a cover.
        occluded, covered = d.occlusion(feats, None, t, scene=ref)
    verdicts[FaultClass.SCENE_SHIFT] = shifted
    local_ref = None if shifted.fault else ref
    mask = covered if occluded.fault else None
    # Exposure is judged against the reference even in a changed view: the camera still
    # looks at the same place, and its overall brightness does not depend on the framing.
    # The per-block comparisons (round 5) only where the view is in place: a changed
    # view puts other content in each block (a moved camera read as overexposed).
    in_place = not shifted.fault
    under = d.underexposed(feats, t, covered=mask, ref=ref, in_place=in_place)
    if occluded.fault and under.fault:
        occluded = d.Verdict(False, occluded.metrics)
        mask = None
        under = d.underexposed(feats, t, ref=ref, in_place=in_place)
    over = d.overexposed(feats, t, covered=mask, ref=ref, in_place=in_place)
    verdicts[FaultClass.OCCLUSION] = occluded
    verdicts[FaultClass.OVEREXPOSED] = over
    verdicts[FaultClass.UNDEREXPOSED] = under
    exposed_ok = not (over.fault or under.fault)
    flat = d.low_contrast(
        feats,
        t,
        covered=mask,
        ref=ref if mask is None else None,
        exposed_ok=exposed_ok,
        in_place=in_place,
    )
    verdicts[FaultClass.LOW_CONTRAST] = flat
    # A changed view's colours are not the reference's: no colour verdict then. Nor
    # behind a cover, whose own colour would read as a cast, nor through a veil that has
    # squeezed the colours into the noise.
    judge_colour = exposed_ok and not shifted.fault and not occluded.fault and not flat.fault
    verdicts[FaultClass.COLOUR_CAST] = d.colour_cast(feats, local_ref, t, exposed_ok=judge_colour)
    if shifted.fault:
        # A zoomed or turned view has other detail than the reference: the shift is the
        # fault to report, sharpness against a void reference is not evidence.
        verdicts[FaultClass.BLUR] = d.Verdict(False, judged=False)
    else:
        # A badly exposed frame has lost detail to clipping or to the noise floor, which
        # against the reference reads as defocus (strong overexposure did, round 4): it
        # is judged on its own fine-to-coarse ratio, which does not depend on exposure.
        #
        # A dominant cover (round 5: half the view, at night) leaves too little of the
        # reference's detail to compare, and what is left is biased - the cover's edge is
        # soft and its flat, lit area sets the noise estimate subtracted from every block
        # (blur was read beside a strong cover at night): the cover is the fault to
        # report, and blur is judged on the frame's own ratio. A smaller cover is left
        # out of the comparison with the blocks beside it.
        dominant = occluded.fault and (
            occluded.metrics["covered_fraction"] >= DOMINANT_COVER * t.occlusion_min_fraction
        )
        blur_ref = local_ref if exposed_ok and not dominant else None
        # A frame judged on its own ratio is still compared with the reference's own
        # ratio: a shallow-focus scene's is low by nature (round 7: pitch's overexposure
        # read as blur; round 9: heath's dominant cover did too).
        own_ref = local_ref if blur_ref is None else None
        verdicts[FaultClass.BLUR] = d.blur(
            feats, blur_ref, t, covered=mask if occluded.fault else None, own_ref=own_ref
        )
    gain = over.metrics.get("mean_luma_vs_reference", 1.0) if over.fault else 1.0
    verdicts[FaultClass.NOISE] = d.noise(feats, t, gain=gain, ref=ref)
    return verdicts


#: Per-frame verdicts of the frames a caller keeps between cycles (as its Features):
#: with one new keyframe per cycle, two of the three frames of a window were judged
#: already - against the same reference (held weakly: a new baseline is a new key)
#: and the same thresholds.
_REMEMBERED: weakref.WeakKeyDictionary[
    Features, tuple[weakref.ref[Features] | None, VqdThresholds, dict[FaultClass, d.Verdict]]
] = weakref.WeakKeyDictionary()


def _verdicts_of(
    feats: Features, ref: Features | None, t: VqdThresholds
) -> dict[FaultClass, d.Verdict]:
    known = _REMEMBERED.get(feats)
    if known is not None:
        known_ref, known_t, verdicts = known
        if (known_ref() if known_ref is not None else None) is ref and known_t is t:
            return verdicts
    verdicts = _per_frame(feats, ref, t)
    _REMEMBERED[feats] = (weakref.ref(ref) if ref is not None else None, t, verdicts)
    return verdicts


def diagnose(
    frames: Sequence[Frame | Features], *, baseline: Baseline | None, thresholds: VqdThresholds
) -> Diagnosis:
    """Diagnose a camera from its keyframes (oldest first, same size); see the module
    docstring. An empty ``frames`` is :func:`no_video`.

    A frame may be passed as its :func:`~psvis.health.vqd.features.features_of` (what a
    caller that keeps a camera's last keyframes between cycles keeps: their measurements
    are not computed again)."""
    if not frames:
        return no_video()
    t = thresholds
    feats = [f if isinstance(f, Features) else features_of(f) for f in frames]
    refs = [baseline.reference_for(f, thresholds=t) if baseline else None for f in feats]
    nights = [baseline.is_night(f, thresholds=t) if baseline else d.is_night(f, t) for f in feats]
    per_frame = [_verdicts_of(f, r, t) for f, r in zip(feats, refs, strict=True)]

    n = len(frames)
    faults: list[Fault] = []
    samples: dict[str, list[float]] = {}
    for verdicts in per_frame:
        for verdict in verdicts.values():
            if verdict.judged or verdict.detail == d.UNDETERMINED:
                for name, value in verdict.metrics.items():
                    samples.setdefault(name, []).append(value)
    metrics = {name: float(statistics.median(values)) for name, values in samples.items()}
    for fault_class in FaultClass:
        if fault_class is FaultClass.FROZEN:
            continue
        flagged = [i for i, v in enumerate(per_frame) if fault_class in v and v[fault_class].fault]
        metrics[f"{fault_class.value}_frames"] = float(len(flagged))
        if 2 * len(flagged) > n:
            evidence = flagged[-1]
            faults.append(Fault(fault_class, evidence, per_frame[evidence][fault_class].detail))

    # Frozen is judged on the frames with a picture, and not behind a cover: the sliver
    # left visible may well be a static part of the scene.
    live = [f for f, v in zip(feats, per_frame, strict=True) if not v[FaultClass.SIGNAL_LOSS].fault]
    occluded = any(f.fault_class is FaultClass.OCCLUSION for f in faults)
    still = d.frozen(live, t) if not occluded else d.Verdict(False, judged=False)
    metrics.update(still.metrics)
    if still.fault:
        faults.append(Fault(FaultClass.FROZEN, n - 1))

    if baseline is not None and FaultClass.SCENE_SHIFT not in {f.fault_class for f in faults}:
        # Absence of a shift is evidence of a view in place only where the shift was
        # decided: a window whose frames mostly could not be compared (too little
        # structure, a cover, no reference for the night) says nothing about the view,
        # and must not verify a repaired scene-shift ticket.
        decided = sum(
            1 for v in per_frame if FaultClass.SCENE_SHIFT in v and v[FaultClass.SCENE_SHIFT].judged
        )
        metrics[SCENE_SHIFT_UNDETERMINED] = 0.0 if 2 * decided > n else 1.0
    metrics["night_frames"] = float(sum(nights))
    used = {("night" if night else "day") for night, r in zip(nights, refs, strict=True) if r}
    reference = "none" if not used else used.pop() if len(used) == 1 else "mixed"
    order = list(FaultClass)
    faults.sort(key=lambda f: order.index(f.fault_class))
    return Diagnosis(faults=tuple(faults), metrics=metrics, frame_count=n, reference=reference)
