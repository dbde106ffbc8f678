"""Video quality diagnosis (VQD): pure numpy detectors on decoded keyframes.

    from psvis.health.vqd import Baseline, VqdThresholds, diagnose, read_keyframes

    t = VqdThresholds()
    accepted_frames = [k.frame for k in read_keyframes(accepted_segment, limit=None)]
    baseline = Baseline.capture(accepted_frames, thresholds=t)
    frames = [k.frame for k in read_keyframes(segment, limit=3)]
    diagnosis = diagnose(frames, baseline=baseline, thresholds=t)
    if not diagnosis.good: ...  # diagnosis.faults, diagnosis.metrics

Design and measured accuracy: ``docs/design/vqd.md``.
"""

from psvis.health.vqd.baseline import Baseline, BaselineError
from psvis.health.vqd.detectors import SignalLossKind
from psvis.health.vqd.diagnose import Diagnosis, Fault, FaultClass, diagnose, no_video
from psvis.health.vqd.frames import ANALYSIS_WIDTH, Frame
from psvis.health.vqd.keyframes import Keyframe, KeyframeError, read_keyframes, thumbnail_jpeg
from psvis.health.vqd.thresholds import VqdThresholds

__all__ = [
    "ANALYSIS_WIDTH",
    "Baseline",
    "BaselineError",
    "Diagnosis",
    "Fault",
    "FaultClass",
    "Frame",
    "Keyframe",
    "KeyframeError",
    "SignalLossKind",
    "VqdThresholds",
    "diagnose",
    "no_video",
    "read_keyframes",
    "thumbnail_jpeg",
]
