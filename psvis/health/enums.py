"""Closed vocabularies of the health domain (Art. 16, 17(3), 10, 20(1))."""

from __future__ import annotations

import enum

from psvis.health.vqd import FaultClass


class LivenessState(enum.StrEnum):
    """What a camera is doing now (docs/design/health.md, states)."""

    #: A segment was committed within the recorder's watchdog time.
    RECORDING = "recording"
    #: No recent segment, the recorder is trying again, and not yet for long.
    RECONNECTING = "reconnecting"
    #: No segment for longer than the offline threshold (or never).
    OFFLINE = "offline"
    #: Not expected to record: the camera is disabled or its system is not in operation.
    DISABLED = "disabled"


class DisabledReason(enum.StrEnum):
    CAMERA_DISABLED = "camera_disabled"
    #: The system is not accepted, or not in operation (Art. 13: not "in use").
    SYSTEM_NOT_OPERATING = "system_not_operating"


class TicketCause(enum.StrEnum):
    """Why a ticket was opened: an outage, or one VQD fault class."""

    OUTAGE = "outage"
    SIGNAL_LOSS = FaultClass.SIGNAL_LOSS.value
    BLUR = FaultClass.BLUR.value
    OVEREXPOSED = FaultClass.OVEREXPOSED.value
    UNDEREXPOSED = FaultClass.UNDEREXPOSED.value
    LOW_CONTRAST = FaultClass.LOW_CONTRAST.value
    COLOUR_CAST = FaultClass.COLOUR_CAST.value
    NOISE = FaultClass.NOISE.value
    FROZEN = FaultClass.FROZEN.value
    OCCLUSION = FaultClass.OCCLUSION.value
    SCENE_SHIFT = FaultClass.SCENE_SHIFT.value


class TicketState(enum.StrEnum):
    """open → acknowledged → repair_reported → closed. Only a diagnosis closes a ticket
    (verification); acknowledging and reporting a repair are the maintainer's words."""

    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    REPAIR_REPORTED = "repair_reported"
    CLOSED = "closed"


class BaselineSource(enum.StrEnum):
    #: Captured on request (acceptance, re-acceptance after a lawful change).
    CAPTURE = "capture"
    #: Captured by the first diagnosis of a camera that had none.
    AUTO = "auto"
    #: The night reference added the first time a good night frame was seen.
    NIGHT = "night"
