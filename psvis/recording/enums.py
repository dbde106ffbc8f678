"""Closed vocabularies of the recording domain."""

from __future__ import annotations

import enum


class SegmentState(enum.StrEnum):
    """What a segment row says about its file (docs/design/recording.md, file states)."""

    #: Completed by the recorder, fsynced, hashed, read-only.
    SEALED = "sealed"
    #: A partial file found after a crash, validated as playable, then sealed.
    RECOVERED = "recovered"
    #: Deleted by the retention sweeper after its window; the row stays as the record.
    EXPIRED = "expired"


class OutageCause(enum.StrEnum):
    """Why an interval has no recording (Art. 17(3): no *unjustified* interruption)."""

    CAMERA_UNREACHABLE = "camera_unreachable"
    STREAM_ERROR = "stream_error"
    RECORDER_CRASH = "recorder_crash"
    STORAGE_ERROR = "storage_error"
    STORAGE_FULL = "storage_full"
    OPERATOR_STOP = "operator_stop"


class RecorderState(enum.StrEnum):
    STARTING = "starting"
    RECORDING = "recording"
    RECONNECTING = "reconnecting"
    STOPPED = "stopped"
    DISABLED = "disabled"
