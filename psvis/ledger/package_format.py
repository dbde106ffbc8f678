"""The evidence package's format, shared by the exporter and the verifier
(docs/design/evidence-package.md): the canonical zip layout and the manifest schema.

**Canonical zip.** A package is a zip whose every byte is fixed by its members' names and
contents: members in a fixed order, stored (no compression), no timestamps (the DOS
epoch 1980-01-01 00:00:00), fixed attributes, no comments, no extra fields except ZIP64
ones where a size or offset does not fit in 32 bits. :func:`write_canonical_zip` is the
one writer: the exporter calls it with a :class:`FileSink`, the verifier calls it with a
:class:`CompareSink` over the package it was given and so rebuilds the package byte for
byte from its own members — any byte outside the members' contents that differs (a
timestamp, an attribute, an appended comment) fails verification; the contents are
covered by the signed manifest's hashes.

**Manifest.** ``manifest.json`` in canonical JSON (keys sorted, no whitespace, UTF-8,
integers only): :class:`Manifest` encodes it and :func:`parse_manifest` reads it back
strictly (unknown keys, wrong types, floats, duplicate keys are errors naming the field).
Its custody slots (``request``, ``approval``, ``officers``: who asked, who approved, which
two officers exported, Art. 18-19) are :class:`CustodyFacts`, all null for an export by
the installation's operator (:func:`parse_custody`).

Only the standard library and ``psvis.ledger.{entries,checkpoints}``: the verifier runs on
a machine with nothing of the platform.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import re
import struct
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from psvis.ledger.checkpoints import Cosignature
from psvis.ledger.entries import EntryError, parse_stamp, stamp

FORMAT = "psvis-evidence-package"
FORMAT_VERSION = 1

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
CHECKPOINT = "checkpoint.txt"
FINGERPRINT = "key-fingerprint.txt"
VIEW = "view.mp4"
SEGMENT_PREFIX = "segments/"
#: The fixed members, in their order at the start of every package.
FIXED = (MANIFEST, SIGNATURE, CHECKPOINT, FINGERPRINT)

#: ``segments/<seq, at least 6 digits>-<the file's name on the recorder>``.
SEGMENT_NAME = re.compile(r"segments/([0-9]{6,10})-([A-Za-z0-9._-]{1,128})")

# --- limits: what a package may claim before the verifier reads it ----------------------

MAX_MEMBERS = 200_005
MAX_SEGMENTS = 200_000
MAX_NAME_BYTES = 200
MAX_EXTRA_BYTES = 1024
MAX_MANIFEST_BYTES = 128 << 20
MAX_SMALL_BYTES = 8 << 10
MAX_ENTRY_BYTES = 64 << 10
MAX_PROOF_HASHES = 64
MAX_TEXT = 2000
MAX_INT = (1 << 63) - 1

CHUNK = 1 << 20

# --- the zip layout (PKWARE APPNOTE 6.3.x, little-endian) -------------------------------

LOCAL_SIG = 0x04034B50
CENTRAL_SIG = 0x02014B50
END_SIG = 0x06054B50
ZIP64_END_SIG = 0x06064B50
ZIP64_LOCATOR_SIG = 0x07064B50
ZIP64_EXTRA = 0x0001
MAX16 = 0xFFFF
MAX32 = 0xFFFFFFFF
#: Sizes, offsets and counts from which ZIP64 fields are used (the 16/32-bit field then
#: holds its maximum). Module constants so a test can lower them.
ZIP64_SIZE_AT = MAX32
ZIP64_COUNT_AT = MAX16
VERSION = 20  # 2.0: stored members
VERSION_ZIP64 = 45  # 4.5: ZIP64 fields present
MADE_BY_UNIX = 3 << 8
DOS_TIME = 0x0000  # 00:00:00
DOS_DATE = 0x0021  # 1980-01-01: ((1980 - 1980) << 9) | (1 << 5) | 1
#: Unix mode 0100644 (regular file, rw-r--r--) in the high half; no DOS attributes.
EXTERNAL_ATTR = 0o100644 << 16

_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")
_ZIP64_END = struct.Struct("<IQHHIIQQQQ")
_ZIP64_LOCATOR = struct.Struct("<IIQI")


class PackageFormatError(ValueError):
    """Bytes that are not a package in the canonical layout, or a manifest that is not
    the v1 schema. The message says what and where, for people."""


@dataclass(frozen=True, slots=True)
class ZipMember:
    """One member: ``size`` bytes from ``data`` or from ``source`` at ``offset``; the
    writer's sink checks them against ``crc32`` (and ``sha256`` when given)."""

    name: str
    size: int
    crc32: int
    data: bytes | None = None
    source: Path | None = None
    offset: int = 0
    sha256: str | None = None

    @classmethod
    def of_bytes(cls, name: str, data: bytes) -> ZipMember:
        return cls(name=name, size=len(data), crc32=zlib.crc32(data), data=data)


def canonical_key(name: str) -> tuple[int, int, str]:
    """Sort key of the canonical member order: the fixed members, the segments by
    sequence number, ``view.mp4``; anything else (never valid) last, by name."""
    if name in FIXED:
        return (FIXED.index(name), 0, "")
    matched = SEGMENT_NAME.fullmatch(name)
    if matched:
        return (len(FIXED), int(matched.group(1)), name)
    if name == VIEW:
        return (len(FIXED) + 1, 0, "")
    return (len(FIXED) + 2, 0, name)


def local_header(member: ZipMember) -> bytes:
    name = member.name.encode("ascii")
    zip64 = member.size >= ZIP64_SIZE_AT
    extra = struct.pack("<HHQQ", ZIP64_EXTRA, 16, member.size, member.size) if zip64 else b""
    size32 = MAX32 if zip64 else member.size
    return (
        _LOCAL.pack(
            LOCAL_SIG,
            VERSION_ZIP64 if zip64 else VERSION,
            0,  # flags: no data descriptor, no encryption, ASCII names
            0,  # stored
            DOS_TIME,
            DOS_DATE,
            member.crc32,
            size32,
            size32,
            len(name),
            len(extra),
        )
        + name
        + extra
    )


def central_header(member: ZipMember, offset: int) -> bytes:
    name = member.name.encode("ascii")
    values: list[int] = []
    if member.size >= ZIP64_SIZE_AT:
        values += [member.size, member.size]  # uncompressed, then compressed
    if offset >= ZIP64_SIZE_AT:
        values.append(offset)
    extra = (
        struct.pack(f"<HH{len(values)}Q", ZIP64_EXTRA, 8 * len(values), *values) if values else b""
    )
    version = VERSION_ZIP64 if values else VERSION
    size32 = MAX32 if member.size >= ZIP64_SIZE_AT else member.size
    return (
        _CENTRAL.pack(
            CENTRAL_SIG,
            MADE_BY_UNIX | version,
            version,
            0,
            0,
            DOS_TIME,
            DOS_DATE,
            member.crc32,
            size32,
            size32,
            len(name),
            len(extra),
            0,  # comment length
            0,  # disk number start
            0,  # internal attributes
            EXTERNAL_ATTR,
            MAX32 if offset >= ZIP64_SIZE_AT else offset,
        )
        + name
        + extra
    )


def end_records(count: int, cd_offset: int, cd_size: int) -> bytes:
    """ZIP64 end record and locator when a count, size or offset overflows, then the
    end of central directory record (no comment)."""
    out = b""
    zip64 = count >= ZIP64_COUNT_AT or cd_offset >= ZIP64_SIZE_AT or cd_size >= ZIP64_SIZE_AT
    if zip64:
        out += _ZIP64_END.pack(
            ZIP64_END_SIG,
            44,  # size of the rest of this record
            MADE_BY_UNIX | VERSION_ZIP64,
            VERSION_ZIP64,
            0,
            0,
            count,
            count,
            cd_size,
            cd_offset,
        )
        out += _ZIP64_LOCATOR.pack(ZIP64_LOCATOR_SIG, 0, cd_offset + cd_size, 1)
    return out + _END.pack(
        END_SIG,
        0,
        0,
        MAX16 if count >= ZIP64_COUNT_AT else count,
        MAX16 if count >= ZIP64_COUNT_AT else count,
        MAX32 if cd_size >= ZIP64_SIZE_AT else cd_size,
        MAX32 if cd_offset >= ZIP64_SIZE_AT else cd_offset,
        0,
    )


class ZipSink(Protocol):
    """Where :func:`write_canonical_zip` puts bytes: a file, or a comparison."""

    def tell(self) -> int: ...

    def write(self, data: bytes) -> None: ...

    def write_member(self, member: ZipMember) -> None: ...


def write_canonical_zip(sink: ZipSink, members: Iterable[ZipMember]) -> list[tuple[int, str]]:
    """Write ``members`` as the canonical zip; returns the layout ``(offset, what)`` so a
    difference found at an offset can be named."""
    ordered = sorted(members, key=lambda m: canonical_key(m.name))
    names = [m.name for m in ordered]
    if len(set(names)) != len(names):
        raise PackageFormatError("duplicate member names")
    layout: list[tuple[int, str]] = []
    offsets: list[int] = []
    for member in ordered:
        offsets.append(sink.tell())
        layout.append((sink.tell(), f"the local header of {member.name}"))
        sink.write(local_header(member))
        layout.append((sink.tell(), f"the contents of {member.name}"))
        sink.write_member(member)
    cd_offset = sink.tell()
    for member, offset in zip(ordered, offsets, strict=True):
        layout.append((sink.tell(), f"the central directory entry of {member.name}"))
        sink.write(central_header(member, offset))
    cd_size = sink.tell() - cd_offset
    layout.append((sink.tell(), "the end of central directory record"))
    sink.write(end_records(len(ordered), cd_offset, cd_size))
    layout.append((sink.tell(), "the end of the file"))
    return layout


def region(layout: Sequence[tuple[int, str]], offset: int) -> str:
    """What of the layout holds byte ``offset``."""
    found = "the start of the file"
    for start, what in layout:
        if start > offset:
            break
        found = what
    return found


class MemberChanged(PackageFormatError):
    """A member's source did not hold what was announced (changed while packaging)."""


class FileSink:
    """Writes the zip to a file, copying each member's source and checking its CRC-32
    and SHA-256 as it goes (a file altered since it was hashed is caught here)."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.position = 0
        #: SHA-256 of the whole file as written (the package's hash, e.g. for the custody
        #: ledger entry of an export), without reading it back.
        self.digest = hashlib.sha256()

    def tell(self) -> int:
        return self.position

    def write(self, data: bytes) -> None:
        self.handle.write(data)
        self.digest.update(data)
        self.position += len(data)

    def write_member(self, member: ZipMember) -> None:
        if member.data is not None:
            chunks: Iterable[bytes] = [member.data]
        elif member.source is not None:
            chunks = read_range(member.source, member.offset, member.size)
        else:
            raise MemberChanged(f"{member.name}: no contents")
        crc, digest, done = 0, hashlib.sha256(), 0
        for chunk in chunks:
            crc = zlib.crc32(chunk, crc)
            digest.update(chunk)
            self.digest.update(chunk)
            self.handle.write(chunk)
            done += len(chunk)
        self.position += done
        if done != member.size or crc != member.crc32:
            raise MemberChanged(f"{member.name} changed while it was being packaged")
        if member.sha256 is not None and digest.hexdigest() != member.sha256:
            raise MemberChanged(f"{member.name} changed while it was being packaged")


class CompareSink:
    """Compares what the writer produces with an existing file, remembering the first
    byte that differs. A member's contents taken from the compared file itself at the
    very offset the writer has reached are identical by construction (not re-read)."""

    def __init__(self, handle: BinaryIO, path: Path, size: int) -> None:
        self.handle = handle
        self.path = path
        self.size = size
        self.position = 0
        self.mismatch: int | None = None

    def tell(self) -> int:
        return self.position

    def write(self, data: bytes) -> None:
        if self.mismatch is None:
            self.handle.seek(self.position)
            actual = self.handle.read(len(data))
            if actual != data:
                at = next(
                    (i for i, (a, b) in enumerate(zip(actual, data, strict=False)) if a != b),
                    min(len(actual), len(data)),
                )
                self.mismatch = self.position + at
        self.position += len(data)

    def write_member(self, member: ZipMember) -> None:
        if self.mismatch is None:
            if member.source == self.path and member.data is None:
                if member.offset != self.position:
                    self.mismatch = self.position
            elif member.data is not None:
                self.write(member.data)
                return
            elif member.source is not None:
                for chunk in read_range(member.source, member.offset, member.size):
                    self.write(chunk)
                return
        self.position += member.size


def read_range(path: Path, offset: int, size: int) -> Iterable[bytes]:
    with path.open("rb") as handle:
        handle.seek(offset)
        left = size
        while left > 0:
            chunk = handle.read(min(CHUNK, left))
            if not chunk:
                return
            left -= len(chunk)
            yield chunk


# --- reading a package: the members, strictly ------------------------------------------


@dataclass(frozen=True, slots=True)
class FoundMember:
    name: str
    header_offset: int
    data_offset: int
    size: int
    crc32: int


def check_name(raw: bytes) -> str:
    """A member name that is safe to extract anywhere: relative, ASCII, no ``..``."""
    try:
        name = raw.decode("ascii")
    except UnicodeDecodeError:
        raise PackageFormatError(
            f"member name {raw[:80]!r} is not ASCII; package names are ASCII"
        ) from None
    shown = repr(name[:80])
    if not name or len(raw) > MAX_NAME_BYTES:
        raise PackageFormatError(f"member name {shown} is empty or too long")
    if any(ord(c) < 0x20 or c == "\x7f" for c in name):
        raise PackageFormatError(f"member name {shown} contains control characters")
    parts = name.split("/")
    if (
        name.startswith("/")
        or "\\" in name
        or ":" in name
        or any(p in ("", ".", "..") for p in parts)
    ):
        raise PackageFormatError(
            f"member name {shown} is not allowed: absolute, parent (..) or empty path "
            "components could write outside the folder it is extracted to"
        )
    return name


def _zip64_sizes(extra: bytes, name: str) -> int:
    at = 0
    while at + 4 <= len(extra):
        tag, length = struct.unpack_from("<HH", extra, at)
        body = extra[at + 4 : at + 4 + length]
        if tag == ZIP64_EXTRA and len(body) >= 16:
            usize, csize = struct.unpack_from("<QQ", body)
            if usize != csize:
                raise PackageFormatError(f"{name}: its sizes disagree (compressed?)")
            return int(usize)
        at += 4 + length
    raise PackageFormatError(f"{name}: a ZIP64 size is announced but missing")


def read_members(handle: BinaryIO, file_size: int) -> list[FoundMember]:
    """The members of a package, read from its local headers in file order. Anything a
    canonical package never holds is an error: compression, encryption, data
    descriptors, unsafe or duplicate names, sizes beyond the end of the file."""
    found: list[FoundMember] = []
    seen: set[str] = set()
    position = 0
    while True:
        handle.seek(position)
        head = handle.read(_LOCAL.size)
        if len(head) < 4 or struct.unpack_from("<I", head)[0] != LOCAL_SIG:
            break
        if len(head) < _LOCAL.size:
            raise PackageFormatError(f"the file ends inside a member header at {position}")
        (_sig, _version, flags, method, _t, _d, crc, csize, usize, name_len, extra_len) = (
            _LOCAL.unpack(head)
        )
        if name_len > MAX_NAME_BYTES or extra_len > MAX_EXTRA_BYTES:
            raise PackageFormatError(f"member header at {position} has an oversized name/extra")
        raw = handle.read(name_len)
        extra = handle.read(extra_len)
        if len(raw) != name_len or len(extra) != extra_len:
            raise PackageFormatError(f"the file ends inside a member header at {position}")
        name = check_name(raw)
        if flags & 0x0001:
            raise PackageFormatError(f"{name} is encrypted")
        if flags & 0x0008:
            raise PackageFormatError(
                f"{name} uses a data descriptor (sizes after the data); not a canonical package"
            )
        if method != 0:
            raise PackageFormatError(
                f"{name} is compressed (method {method}); package members are stored"
            )
        size = _zip64_sizes(extra, name) if MAX32 in (csize, usize) else usize
        if csize != usize and MAX32 not in (csize, usize):
            raise PackageFormatError(f"{name}: its sizes disagree (compressed?)")
        data_offset = position + _LOCAL.size + name_len + extra_len
        if size > file_size - data_offset:
            raise PackageFormatError(
                f"{name} claims {size} bytes, more than the file holds after it"
            )
        if name in seen:
            raise PackageFormatError(f"member name {name!r} appears twice")
        seen.add(name)
        found.append(FoundMember(name, position, data_offset, size, crc))
        if len(found) > MAX_MEMBERS:
            raise PackageFormatError(f"more than {MAX_MEMBERS} members")
        position = data_offset + size
    if not found:
        if file_size == 0:
            raise PackageFormatError("the file is empty")
        raise PackageFormatError("not a zip file (or an empty one): no member at its start")
    return found


# --- texts beside the manifest -----------------------------------------------------------


def signature_text(signature: bytes) -> bytes:
    """``manifest.sig``: the 64-byte signature in base64, one line."""
    return base64.b64encode(signature) + b"\n"


def fingerprint_text(key_id: str, fingerprint: str) -> bytes:
    """``key-fingerprint.txt``: for people comparing keys on the phone."""
    return (
        f"key-id {key_id}\nfingerprint {fingerprint}\n"
        "algorithm Ed25519; verify with the public key obtained from the archive's owner, "
        "never from this package\n"
    ).encode()


# --- the manifest ------------------------------------------------------------------------


def canonical_json(value: object) -> bytes:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


@dataclass(frozen=True, slots=True)
class SegmentRecord:
    seq: int
    path: str
    size: int
    sha256: str
    start: dt.datetime
    end: dt.datetime
    leaf_index: int
    entry: bytes
    inclusion_proof: tuple[bytes, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "path": self.path,
            "size": self.size,
            "sha256": self.sha256,
            "start": stamp(self.start),
            "end": stamp(self.end),
            "leaf_index": self.leaf_index,
            "entry": base64.b64encode(self.entry).decode(),
            "inclusion_proof": [h.hex() for h in self.inclusion_proof],
        }


@dataclass(frozen=True, slots=True)
class Manifest:
    package_id: str
    created: dt.datetime
    camera: dict[str, Any]
    site: dict[str, str]
    unit: dict[str, str]
    jurisdiction: dict[str, str]
    range_from: dt.datetime
    range_to: dt.datetime
    segments: tuple[SegmentRecord, ...]
    origin: str
    tree_size: int
    root: bytes
    cosignatures: tuple[Cosignature, ...]
    view_sha256: str
    view_size: int
    view_note: str
    key_id: str
    key_fingerprint: str
    generator: str
    #: The custody record (Art. 18-19) filling the ``request``, ``approval`` and
    #: ``officers`` slots; None (the three slots null) for an export by the
    #: installation's operator at the server console.
    custody: CustodyFacts | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "package_id": self.package_id,
            "created": stamp(self.created),
            "generator": self.generator,
            "camera": self.camera,
            "site": self.site,
            "unit": self.unit,
            "jurisdiction": self.jurisdiction,
            "range": {"from": stamp(self.range_from), "to": stamp(self.range_to)},
            "segments": [s.as_json() for s in self.segments],
            "checkpoint": {
                "path": CHECKPOINT,
                "origin": self.origin,
                "tree_size": self.tree_size,
                "root": self.root.hex(),
                "cosignatures": [c.as_json() for c in self.cosignatures],
            },
            "view": {
                "path": VIEW,
                "sha256": self.view_sha256,
                "size": self.view_size,
                "note": self.view_note,
            },
            "key": {"key_id": self.key_id, "fingerprint": self.key_fingerprint},
            **(self.custody.slots() if self.custody is not None else EMPTY_SLOTS),
        }

    def encode(self) -> bytes:
        return canonical_json(self.as_json())


def segment_path(seq: int, file_name: str) -> str:
    return f"{SEGMENT_PREFIX}{seq:06d}-{file_name}"


# strict readers: each error names the field ------------------------------------------------

_HEX64 = re.compile(r"[0-9a-f]{64}")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _obj(value: object, where: str, keys: Sequence[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise PackageFormatError(f"{where}: expected an object, found {_kind(value)}")
    missing = [k for k in keys if k not in value]
    if missing:
        raise PackageFormatError(f"{where}: missing {', '.join(missing)}")
    unexpected = sorted(str(k) for k in value if k not in keys)
    if unexpected:
        raise PackageFormatError(f"{where}: unexpected {', '.join(unexpected)[:200]}")
    return value


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return {
        dict: "an object",
        list: "an array",
        str: "a string",
        int: "an integer",
        float: "a number with a fraction",
    }.get(type(value), type(value).__name__)


def _int(value: object, where: str, low: int = 0, high: int = MAX_INT) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise PackageFormatError(f"{where}: expected an integer, found {_kind(value)}")
    if not low <= value <= high:
        raise PackageFormatError(f"{where}: {value} is out of range [{low}, {high}]")
    return value


def _str(
    value: object, where: str, limit: int = MAX_TEXT, pattern: re.Pattern[str] | None = None
) -> str:
    if not isinstance(value, str):
        raise PackageFormatError(f"{where}: expected a string, found {_kind(value)}")
    if len(value) > limit:
        raise PackageFormatError(f"{where}: longer than {limit} characters")
    if pattern is not None and not pattern.fullmatch(value):
        raise PackageFormatError(f"{where}: {value[:80]!r} is not in the expected form")
    return value


def _time(value: object, where: str) -> dt.datetime:
    text = _str(value, where, 40)
    try:
        moment = parse_stamp(text)
    except (EntryError, ValueError):
        raise PackageFormatError(
            f"{where}: {text!r} is not a time in the form 2026-01-05T02:00:00.000Z"
        ) from None
    if stamp(moment) != text:
        raise PackageFormatError(f"{where}: {text!r} is not in canonical form")
    return moment


def _hex32(value: object, where: str) -> bytes:
    return bytes.fromhex(_str(value, where, 64, _HEX64))


def _b64(value: object, where: str, limit: int) -> bytes:
    text = _str(value, where, limit * 4 // 3 + 4)
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise PackageFormatError(f"{where}: not base64") from None
    if base64.b64encode(data).decode() != text:
        raise PackageFormatError(f"{where}: base64 not in canonical form")
    return data


def _list(value: object, where: str, limit: int) -> list[Any]:
    if not isinstance(value, list):
        raise PackageFormatError(f"{where}: expected an array, found {_kind(value)}")
    if len(value) > limit:
        raise PackageFormatError(f"{where}: more than {limit} items")
    return value


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise PackageFormatError(f"key {key[:80]!r} appears twice in one object")
        out[key] = value
    return out


def _no_float(text: str) -> Any:
    raise PackageFormatError(f"number {text[:40]} has a fraction or exponent; only integers")


def _no_constant(text: str) -> Any:
    raise PackageFormatError(f"{text} is not JSON")


TOP_KEYS = (
    "format",
    "version",
    "package_id",
    "created",
    "generator",
    "camera",
    "site",
    "unit",
    "jurisdiction",
    "range",
    "segments",
    "checkpoint",
    "view",
    "key",
    "request",
    "approval",
    "officers",
)
SEGMENT_KEYS = (
    "seq",
    "path",
    "size",
    "sha256",
    "start",
    "end",
    "leaf_index",
    "entry",
    "inclusion_proof",
)


def _segment(value: object, where: str) -> SegmentRecord:
    body = _obj(value, where, SEGMENT_KEYS)
    seq = _int(body["seq"], f"{where}.seq", 1, 10**10 - 1)
    path = _str(body["path"], f"{where}.path", MAX_NAME_BYTES)
    matched = SEGMENT_NAME.fullmatch(path)
    if (
        matched is None
        or int(matched.group(1)) != seq
        or path != segment_path(seq, matched.group(2))
    ):
        raise PackageFormatError(
            f"{where}.path: {path[:80]!r} is not segments/<seq, 6 digits>-<file name> for seq {seq}"
        )
    start = _time(body["start"], f"{where}.start")
    end = _time(body["end"], f"{where}.end")
    if end <= start:
        raise PackageFormatError(f"{where}: end is not after start")
    proof = _list(body["inclusion_proof"], f"{where}.inclusion_proof", MAX_PROOF_HASHES)
    return SegmentRecord(
        seq=seq,
        path=path,
        size=_int(body["size"], f"{where}.size"),
        sha256=_str(body["sha256"], f"{where}.sha256", 64, _HEX64),
        start=start,
        end=end,
        leaf_index=_int(body["leaf_index"], f"{where}.leaf_index"),
        entry=_b64(body["entry"], f"{where}.entry", MAX_ENTRY_BYTES),
        inclusion_proof=tuple(
            _hex32(h, f"{where}.inclusion_proof[{i}]") for i, h in enumerate(proof)
        ),
    )


def _cosignature(value: object, where: str) -> Cosignature:
    body = _obj(value, where, ("witness", "key_id", "time", "signature"))
    signature = _b64(body["signature"], f"{where}.signature", 64)
    if len(signature) != 64:
        raise PackageFormatError(f"{where}.signature: not 64 bytes")
    return Cosignature(
        witness_name=_str(body["witness"], f"{where}.witness", 200),
        witness_key_id=_str(body["key_id"], f"{where}.key_id", 64, _HEX64),
        time=_time(body["time"], f"{where}.time"),
        signature=signature,
    )


# --- the custody slots (Art. 18-19) ---------------------------------------------------------

#: The three slots of an export made outside a retrieval request (by the installation's
#: operator at the server console): all null.
EMPTY_SLOTS: dict[str, Any] = {"request": None, "approval": None, "officers": None}
DEPARTMENT_KINDS = ("police", "other")
CUSTODY_ACTIONS = ("copy", "direct_access", "retrieve", "view")
#: The approved actions that let footage leave the archive (复制, 调取).
EXPORT_ACTIONS = frozenset({"copy", "retrieve"})
REQUEST_KEYS = (
    "number",
    "case_number",
    "purpose",
    "department_kind",
    "department_name",
    "legal_basis",
    "actions",
    "valid_from",
    "valid_until",
)
APPROVAL_KEYS = ("chief_name", "chief_work_id", "document_number", "scan_sha256", "decided_at")
OFFICERS_KEYS = ("session_id", "opened_at", "first", "second")
OFFICER_KEYS = ("name", "work_id")


@dataclass(frozen=True, slots=True)
class OfficerFacts:
    """One officer of the execution session, as shown (Art. 19(2)): name and work ID."""

    name: str
    work_id: str

    def as_json(self) -> dict[str, str]:
        return {"name": self.name, "work_id": self.work_id}


@dataclass(frozen=True, slots=True)
class CustodyFacts:
    """Who asked, who approved, who handled (Art. 18-19): the manifest's ``request``,
    ``approval`` and ``officers`` slots of an export made in an execution session.

    Times are aware UTC; in the manifest they are truncated to milliseconds like every
    other time. ``first`` is the officer who was signed in, ``second`` the one who
    authenticated with password and one-time code when the session opened."""

    request_number: str
    case_number: str
    purpose: str
    department_kind: str
    department_name: str
    legal_basis: str
    actions: tuple[str, ...]
    valid_from: dt.datetime
    valid_until: dt.datetime
    chief_name: str
    chief_work_id: str
    document_number: str
    scan_sha256: str
    decided_at: dt.datetime
    session_id: int
    opened_at: dt.datetime
    first: OfficerFacts
    second: OfficerFacts

    def slots(self) -> dict[str, Any]:
        """``{"request": …, "approval": …, "officers": …}`` as the manifest holds them."""
        return {
            "request": {
                "number": self.request_number,
                "case_number": self.case_number,
                "purpose": self.purpose,
                "department_kind": self.department_kind,
                "department_name": self.department_name,
                "legal_basis": self.legal_basis,
                "actions": sorted(set(self.actions)),
                "valid_from": stamp(self.valid_from),
                "valid_until": stamp(self.valid_until),
            },
            "approval": {
                "chief_name": self.chief_name,
                "chief_work_id": self.chief_work_id,
                "document_number": self.document_number,
                "scan_sha256": self.scan_sha256,
                "decided_at": stamp(self.decided_at),
            },
            "officers": {
                "session_id": self.session_id,
                "opened_at": stamp(self.opened_at),
                "first": self.first.as_json(),
                "second": self.second.as_json(),
            },
        }

    def problems(self, *, created: dt.datetime) -> list[str]:
        """What in the record contradicts Art. 18-19 or itself (empty when it holds
        together): the request approves taking footage out (copy or retrieve); another
        department cites its law; two officers with two work IDs; the approval before
        the session, the session inside the validity window, the export after it opened.
        Times compare at the manifest's millisecond precision."""
        found = []
        if not EXPORT_ACTIONS & set(self.actions):
            found.append(
                f"the request approves {', '.join(self.actions)}: no copy or retrieval (Art. 18)"
            )
        if self.department_kind == "other" and not self.legal_basis.strip():
            found.append("another department's request cites no legal basis (Art. 18)")
        if not self.first.work_id.strip() or not self.second.work_id.strip():
            found.append("an officer shows no work ID (Art. 19(2))")
        elif self.first.work_id == self.second.work_id:
            found.append("the two officers are one work ID (Art. 19(1) needs two)")
        if self.valid_until <= self.valid_from:
            found.append("the request's validity window is empty")
        if self.opened_at < self.decided_at:
            found.append("the session opened before the request was approved")
        if not self.valid_from <= self.opened_at < self.valid_until:
            found.append("the session opened outside the request's validity window")
        if created < self.opened_at:
            found.append("the package was created before the session opened")
        return found


def _text(body: dict[str, Any], key: str, where: str, limit: int, *, required: bool) -> str:
    text = _str(body[key], f"{where}.{key}", limit)
    if required and not text.strip():
        raise PackageFormatError(f"{where}.{key}: empty")
    return text


def _officer(value: object, where: str) -> OfficerFacts:
    body = _obj(value, where, OFFICER_KEYS)
    return OfficerFacts(
        name=_text(body, "name", where, 100, required=True),
        work_id=_text(body, "work_id", where, 32, required=True),
    )


def _actions(value: object, where: str) -> tuple[str, ...]:
    items = _list(value, where, len(CUSTODY_ACTIONS))
    actions = tuple(_str(a, f"{where}[{i}]", 20) for i, a in enumerate(items))
    unknown = [a for a in actions if a not in CUSTODY_ACTIONS]
    if unknown:
        raise PackageFormatError(f"{where}: unknown action {unknown[0][:20]!r}")
    if not actions or list(actions) != sorted(set(actions)):
        raise PackageFormatError(f"{where}: expected distinct actions, sorted, at least one")
    return actions


def parse_custody(request: object, approval: object, officers: object) -> CustodyFacts | None:
    """The custody slots read strictly: all three null (an operator's export), or all
    three filled in the schema of :meth:`CustodyFacts.slots`."""
    slots = {"request": request, "approval": approval, "officers": officers}
    for name, value in slots.items():
        if value is not None and not isinstance(value, dict):
            raise PackageFormatError(f"manifest.{name}: expected null or an object")
    filled = [name for name, value in slots.items() if value is not None]
    if not filled:
        return None
    if len(filled) != len(slots):
        raise PackageFormatError(
            f"manifest.{', '.join(filled)} filled but not all of request, approval and "
            "officers: the custody slots are all null or all filled"
        )
    where = "manifest.request"
    req = _obj(request, where, REQUEST_KEYS)
    kind = _str(req["department_kind"], f"{where}.department_kind", 10)
    if kind not in DEPARTMENT_KINDS:
        raise PackageFormatError(f"{where}.department_kind: expected police or other")
    approved = _obj(approval, "manifest.approval", APPROVAL_KEYS)
    handled = _obj(officers, "manifest.officers", OFFICERS_KEYS)
    return CustodyFacts(
        request_number=_text(req, "number", where, 32, required=True),
        case_number=_text(req, "case_number", where, 64, required=True),
        purpose=_text(req, "purpose", where, 1000, required=True),
        department_kind=kind,
        department_name=_text(req, "department_name", where, 100, required=True),
        legal_basis=_text(req, "legal_basis", where, 500, required=False),
        actions=_actions(req["actions"], f"{where}.actions"),
        valid_from=_time(req["valid_from"], f"{where}.valid_from"),
        valid_until=_time(req["valid_until"], f"{where}.valid_until"),
        chief_name=_text(approved, "chief_name", "manifest.approval", 100, required=True),
        chief_work_id=_text(approved, "chief_work_id", "manifest.approval", 32, required=False),
        document_number=_text(approved, "document_number", "manifest.approval", 64, required=True),
        scan_sha256=_str(approved["scan_sha256"], "manifest.approval.scan_sha256", 64, _HEX64),
        decided_at=_time(approved["decided_at"], "manifest.approval.decided_at"),
        session_id=_int(handled["session_id"], "manifest.officers.session_id", 1),
        opened_at=_time(handled["opened_at"], "manifest.officers.opened_at"),
        first=_officer(handled["first"], "manifest.officers.first"),
        second=_officer(handled["second"], "manifest.officers.second"),
    )


def parse_manifest(data: bytes) -> Manifest:
    """Read ``manifest.json`` strictly: the v1 schema, in canonical form."""
    if len(data) > MAX_MANIFEST_BYTES:
        raise PackageFormatError(f"larger than {MAX_MANIFEST_BYTES} bytes")
    try:
        text = data.decode("utf-8")
        value = json.loads(
            text,
            object_pairs_hook=_no_duplicates,
            parse_float=_no_float,
            parse_constant=_no_constant,
        )
    except PackageFormatError:
        raise
    except UnicodeDecodeError as exc:
        raise PackageFormatError(f"not UTF-8 ({exc.reason} at byte {exc.start})") from None
    except RecursionError:
        raise PackageFormatError("nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise PackageFormatError(f"not JSON: {exc.msg} at character {exc.pos}") from None
    except ValueError as exc:  # e.g. an integer with thousands of digits
        raise PackageFormatError(f"not acceptable JSON: {exc}"[:300]) from None
    top = _obj(value, "manifest", TOP_KEYS)
    if top["format"] != FORMAT:
        raise PackageFormatError(f"manifest.format: expected {FORMAT!r}")
    if top["version"] != FORMAT_VERSION or isinstance(top["version"], bool):
        raise PackageFormatError(
            f"manifest.version: {str(top['version'])[:20]} is not a version this verifier "
            f"reads ({FORMAT_VERSION})"
        )
    camera = _obj(top["camera"], "manifest.camera", ("id", "gb_id", "name"))
    _int(camera["id"], "manifest.camera.id", 1)
    _str(camera["gb_id"], "manifest.camera.gb_id", 20)
    _str(camera["name"], "manifest.camera.name")
    site = _obj(top["site"], "manifest.site", ("name", "address"))
    unit = _obj(top["unit"], "manifest.unit", ("name", "credit_code"))
    jurisdiction = _obj(top["jurisdiction"], "manifest.jurisdiction", ("code", "name"))
    for where, body in (("site", site), ("unit", unit), ("jurisdiction", jurisdiction)):
        for field_name, text in body.items():
            _str(text, f"manifest.{where}.{field_name}")
    span = _obj(top["range"], "manifest.range", ("from", "to"))
    range_from = _time(span["from"], "manifest.range.from")
    range_to = _time(span["to"], "manifest.range.to")
    if range_to <= range_from:
        raise PackageFormatError("manifest.range: 'to' is not after 'from'")
    raw_segments = _list(top["segments"], "manifest.segments", MAX_SEGMENTS)
    if not raw_segments:
        raise PackageFormatError("manifest.segments: empty")
    segments = tuple(_segment(s, f"manifest.segments[{i}]") for i, s in enumerate(raw_segments))
    cp = _obj(
        top["checkpoint"],
        "manifest.checkpoint",
        ("path", "origin", "tree_size", "root", "cosignatures"),
    )
    if cp["path"] != CHECKPOINT:
        raise PackageFormatError(f"manifest.checkpoint.path: expected {CHECKPOINT!r}")
    cosignatures = tuple(
        _cosignature(c, f"manifest.checkpoint.cosignatures[{i}]")
        for i, c in enumerate(_list(cp["cosignatures"], "manifest.checkpoint.cosignatures", 100))
    )
    view = _obj(top["view"], "manifest.view", ("path", "sha256", "size", "note"))
    if view["path"] != VIEW:
        raise PackageFormatError(f"manifest.view.path: expected {VIEW!r}")
    key = _obj(top["key"], "manifest.key", ("key_id", "fingerprint"))
    manifest = Manifest(
        package_id=_str(top["package_id"], "manifest.package_id", 36, _UUID),
        created=_time(top["created"], "manifest.created"),
        camera=camera,
        site=site,
        unit=unit,
        jurisdiction=jurisdiction,
        range_from=range_from,
        range_to=range_to,
        segments=segments,
        origin=_str(cp["origin"], "manifest.checkpoint.origin", 200),
        tree_size=_int(cp["tree_size"], "manifest.checkpoint.tree_size", 1),
        root=_hex32(cp["root"], "manifest.checkpoint.root"),
        cosignatures=cosignatures,
        view_sha256=_str(view["sha256"], "manifest.view.sha256", 64, _HEX64),
        view_size=_int(view["size"], "manifest.view.size"),
        view_note=_str(view["note"], "manifest.view.note"),
        key_id=_str(key["key_id"], "manifest.key.key_id", 64, _HEX64),
        key_fingerprint=_str(key["fingerprint"], "manifest.key.fingerprint", 100),
        generator=_str(top["generator"], "manifest.generator", 100),
        custody=parse_custody(top["request"], top["approval"], top["officers"]),
    )
    try:
        canonical = manifest.encode()
    except (ValueError, UnicodeEncodeError, RecursionError):
        canonical = b""
    if canonical != data:
        raise PackageFormatError(
            "not in canonical form (keys sorted, no whitespace, UTF-8, as written by the "
            "exporter): its bytes are not the ones that were signed"
        )
    return manifest
