"""Ledger entries: canonical, versioned JSON objects (docs/design/ledger.md).

An entry's bytes are what its leaf hashes, so they are fixed by one canonical encoding:
UTF-8 JSON with keys sorted, no insignificant whitespace, non-ASCII kept as UTF-8,
integers for counts and sizes, times as RFC 3339 UTC strings with milliseconds
(``2026-11-27T03:04:05.120Z``). Every entry carries ``v`` (format version) and ``type``.
A verifier needs nothing but this module's rules (written out in ledger.md) to read one.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from enum import StrEnum
from typing import Any

VERSION = 1


class EntryType(StrEnum):
    SEGMENT_SEALED = "segment.sealed"
    SEGMENT_EXPIRED = "segment.expired"
    OUTAGE_OPENED = "outage.opened"
    OUTAGE_CLOSED = "outage.closed"
    FILE_QUARANTINED = "file.quarantined"
    CONFIG_CHANGED = "config.changed"
    #: Custody acts (requests, approvals, sessions, views, copies, exports, holds).
    CUSTODY = "custody"
    #: Health acts (the health issue): a diagnosed fault, a ticket opened or closed.
    HEALTH = "health"
    #: Enforcement acts (the enforcement issue): cases, orders, re-checks, decisions.
    ENFORCEMENT = "enforcement"


class EntryError(ValueError):
    """Bytes that are not a canonical entry of a known version."""


def stamp(moment: dt.datetime) -> str:
    """RFC 3339 UTC with milliseconds: the one time format of entries."""
    if moment.tzinfo is None:
        raise EntryError("ledger times must be timezone-aware")
    utc = moment.astimezone(dt.UTC)
    if utc.year < 1000:  # isoformat pads years as strftime does not: keep one format
        raise EntryError("ledger times start at year 1000")
    # isoformat is several times faster than strftime (the audit stamps every row).
    return utc.isoformat(timespec="milliseconds")[:-6] + "Z"


def parse_stamp(text: str) -> dt.datetime:
    if not (isinstance(text, str) and text.endswith("Z") and len(text) == 24):
        raise EntryError(f"not a ledger time: {text!r}")
    try:
        return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)
    except ValueError as exc:
        raise EntryError(f"not a ledger time: {text!r}") from exc


def _normalise(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return stamp(value)
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return value
    if isinstance(value, StrEnum):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _normalise(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_normalise(v) for v in value]
    raise EntryError(f"{type(value).__name__} cannot be put in a ledger entry")


def encode(entry_type: EntryType, **fields: Any) -> bytes:
    """The canonical bytes of an entry (floats are refused: they have no one encoding)."""
    body = {k: _normalise(v) for k, v in fields.items()}
    body["v"] = VERSION
    body["type"] = str(entry_type)
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _no_floats(text: str) -> Any:
    raise EntryError(f"entries hold no floating-point numbers ({text})")


def decode(data: bytes, *, canonical: bool = True) -> dict[str, Any]:
    """Parse and check an entry: known version, known type, and (``canonical``) the one
    encoding. The audit skips the last check: it re-hashes every entry against signed
    roots, which already catches any changed byte, and re-encoding a million entries
    would double its time."""
    try:
        text = data.decode("utf-8")
        body = json.loads(text, parse_float=_no_floats, parse_constant=_no_floats)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EntryError(f"entry is not UTF-8 JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise EntryError("entry is not a JSON object")
    if body.get("v") != VERSION:
        raise EntryError(f"unknown entry version {body.get('v')!r}")
    try:
        kind = EntryType(str(body.get("type")))
    except ValueError as exc:
        raise EntryError(f"unknown entry type {body.get('type')!r}") from exc
    if not canonical:
        return body
    # Canonical: what encode() would write. The parsed body holds only JSON types, so
    # re-serialising it is encode() without the conversions, plus the NFC rule.
    again = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    if again != text or (not text.isascii() and not unicodedata.is_normalized("NFC", text)):
        raise EntryError("entry is not in canonical form")
    if str(kind) != body["type"]:
        raise EntryError("entry type is not canonical")
    return body


# --- the entries the platform writes ----------------------------------------------------


def segment_sealed(
    *,
    camera_id: int,
    seq: int,
    storage_id: int,
    rel_path: str,
    start_at: dt.datetime,
    end_at: dt.datetime,
    size_bytes: int,
    sha256: str,
    state: str,
    sealed_at: dt.datetime,
) -> bytes:
    return encode(
        EntryType.SEGMENT_SEALED,
        camera=camera_id,
        seq=seq,
        storage=storage_id,
        path=rel_path,
        start=start_at,
        end=end_at,
        size=size_bytes,
        sha256=sha256,
        state=state,
        at=sealed_at,
    )


def segment_expired(
    *,
    camera_id: int,
    seq: int,
    sealed_leaf: int | None,
    retention_days: int,
    end_at: dt.datetime,
    expired_at: dt.datetime,
) -> bytes:
    """``sealed_leaf``: the leaf index of the segment's ``segment.sealed`` entry (None
    only while that entry is still queued, when the auditor finds it by camera and seq).
    ``retention_days`` and ``end_at`` are the basis: lawful when
    ``expired_at ≥ end_at + retention_days``."""
    return encode(
        EntryType.SEGMENT_EXPIRED,
        camera=camera_id,
        seq=seq,
        sealed_leaf=sealed_leaf,
        basis={"retention_days": retention_days, "end": end_at},
        at=expired_at,
    )


def outage_opened(
    *, camera_id: int, outage_id: int, start_at: dt.datetime, cause: str, at: dt.datetime
) -> bytes:
    return encode(
        EntryType.OUTAGE_OPENED,
        camera=camera_id,
        outage=outage_id,
        start=start_at,
        cause=cause,
        at=at,
    )


def outage_closed(*, camera_id: int, outage_id: int, end_at: dt.datetime, at: dt.datetime) -> bytes:
    return encode(EntryType.OUTAGE_CLOSED, camera=camera_id, outage=outage_id, end=end_at, at=at)


def file_quarantined(
    *,
    camera_id: int | None,
    storage_id: int,
    original_path: str,
    quarantine_path: str,
    size_bytes: int,
    sha256: str,
    reason: str,
    at: dt.datetime,
) -> bytes:
    """A file the recovery pass could not seal, moved aside (never deleted)."""
    return encode(
        EntryType.FILE_QUARANTINED,
        camera=camera_id,
        storage=storage_id,
        original=original_path,
        path=quarantine_path,
        size=size_bytes,
        sha256=sha256,
        reason=reason,
        at=at,
    )


def config_changed(
    *,
    subject: str,
    subject_id: int,
    field: str,
    old: str | int | None,
    new: str | int | None,
    actor: str,
    at: dt.datetime,
) -> bytes:
    """A change the law cares about (stream URL, retention, orientation/PTZ presets,
    storage). Secrets never enter: stream URLs are given redacted by the caller."""
    return encode(
        EntryType.CONFIG_CHANGED,
        subject=subject,
        id=subject_id,
        field=field,
        old=old,
        new=new,
        actor=actor,
        at=at,
    )


def custody(*, act: str, at: dt.datetime, **facts: Any) -> bytes:
    """A custody act (the custody issue): ``act`` names it, ``facts`` carry ids."""
    return encode(EntryType.CUSTODY, act=act, at=at, **facts)


def health(*, act: str, at: dt.datetime, **facts: Any) -> bytes:
    """A health act (fault diagnosed, ticket opened/closed): ``facts`` carry ids, metric
    values as strings or integers (entries have no floats)."""
    return encode(EntryType.HEALTH, act=act, at=at, **facts)


def enforcement(*, act: str, at: dt.datetime, **facts: Any) -> bytes:
    """An enforcement act (case opened, order issued, re-check, penalty decided)."""
    return encode(EntryType.ENFORCEMENT, act=act, at=at, **facts)
