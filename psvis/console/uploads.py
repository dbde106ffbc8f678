"""Streaming multipart uploads with hard limits, for the console's upload forms.

Starlette's form parser spools every file part without a size limit and FastAPI reads
the whole body before the route runs — before the visitor is even authenticated. An
upload page instead authenticates first, then reads the body here: each part is
limited as it streams (a big part goes straight to a file in a private directory, a
small one stays in memory), the form's CSRF token must come before any file (a browser
sends fields in page order, and the forms put the token first), and the body as a whole
may not exceed the sum of the limits. Whatever is refused stops being read at once.

    received = await receive(request, directory=tmp, files={"package": Part(2 << 30, True)},
                             before_file=check_token)
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import anyio.to_thread
from fastapi import Request
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

#: Size of a text field (a CSRF token, a checkbox); anything bigger is not our form.
MAX_FIELD_BYTES = 4096
#: Parts in one form: ours have at most a handful.
MAX_PARTS = 16
#: Allowance for the multipart framing (boundaries, part headers) on top of the parts.
FRAMING_BYTES = 64 * 1024


class UploadError(Exception):
    """A malformed, oversized or unexpected upload. ``key`` is a catalog message,
    ``values`` its placeholders; ``status_code`` the HTTP answer."""

    def __init__(self, key: str, *, status_code: int = 400, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.status_code = status_code
        self.values = values


@dataclass(frozen=True, slots=True)
class Part:
    """What one file field may be: its size limit and whether it goes to disk."""

    max_bytes: int
    to_disk: bool = False


@dataclass
class ReceivedFile:
    filename: str
    size: int = 0
    #: The file on disk (``to_disk`` parts), else None and the bytes are in ``data``.
    path: Path | None = None
    data: bytes = b""


@dataclass
class Received:
    fields: dict[str, str] = field(default_factory=dict)
    files: dict[str, ReceivedFile] = field(default_factory=dict)


@dataclass
class _Current:
    name: str = ""
    filename: str | None = None
    buffer: bytearray = field(default_factory=bytearray)
    size: int = 0
    handle: IO[bytes] | None = None
    policy: Part | None = None


def human_bytes(size: int) -> str:
    """``2 GiB``, ``16 KiB``, ``300 B``: binary units, one decimal when not whole."""
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def body_limit(files: dict[str, Part]) -> int:
    return sum(p.max_bytes for p in files.values()) + MAX_PARTS * MAX_FIELD_BYTES + FRAMING_BYTES


def _boundary(request: Request) -> bytes:
    ctype, params = parse_options_header(request.headers.get("content-type", ""))
    if ctype != b"multipart/form-data" or not params.get(b"boundary"):
        raise UploadError("upload.err_form", error="not multipart/form-data")
    return params[b"boundary"]


def _declared_length(request: Request, limit: int) -> None:
    declared = request.headers.get("content-length")
    if declared is None:
        return  # chunked: counted as it arrives
    if not declared.isdigit():
        raise UploadError("upload.err_form", error="bad Content-Length")
    if int(declared) > limit:
        raise UploadError("upload.err_too_large", status_code=413, limit=human_bytes(limit))


async def receive(
    request: Request,
    *,
    directory: Path,
    files: dict[str, Part],
    before_file: Callable[[dict[str, str]], None] | None = None,
) -> Received:
    """Read the request's multipart body. File fields not in ``files`` and surplus parts
    are refused; ``before_file(fields)`` runs when the first file part begins (raise to
    refuse). Files on disk are created in ``directory`` (the caller removes it)."""
    limit = body_limit(files)
    _declared_length(request, limit)
    boundary = _boundary(request)
    received = Received()
    current = _Current()
    pending: list[tuple[IO[bytes], bytes]] = []
    headers: dict[bytes, bytes] = {}
    header_name = bytearray()
    header_value = bytearray()
    parts = 0
    checked = False
    ended = False

    def on_part_begin() -> None:
        nonlocal current, parts
        parts += 1
        if parts > MAX_PARTS:
            raise UploadError("upload.err_form", error="too many parts")
        current = _Current()
        headers.clear()

    def on_header_field(data: bytes, start: int, end: int) -> None:
        header_name.extend(data[start:end])

    def on_header_value(data: bytes, start: int, end: int) -> None:
        header_value.extend(data[start:end])

    def on_header_end() -> None:
        if len(header_name) + len(header_value) > MAX_FIELD_BYTES:
            raise UploadError("upload.err_form", error="part header too long")
        headers[bytes(header_name).lower()] = bytes(header_value)
        header_name.clear()
        header_value.clear()

    def on_headers_finished() -> None:
        nonlocal checked
        _, options = parse_options_header(
            headers.get(b"content-disposition", b"").decode("latin-1")
        )
        name = options.get(b"name")
        if name is None:
            raise UploadError("upload.err_form", error="a part without a name")
        current.name = name.decode("utf-8", "replace")
        if b"filename" not in options:
            return
        current.filename = options[b"filename"].decode("utf-8", "replace")[:255]
        policy = files.get(current.name)
        if policy is None or current.name in received.files:
            raise UploadError("upload.err_form", error=f"unexpected file field {current.name!r}")
        if before_file is not None and not checked:
            before_file(received.fields)
            checked = True
        current.policy = policy
        if policy.to_disk:
            fd, raw = _create(directory)
            current.handle = os.fdopen(fd, "wb")
            received.files[current.name] = ReceivedFile(current.filename, path=Path(raw))
        else:
            received.files[current.name] = ReceivedFile(current.filename)

    def on_part_data(data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        current.size += len(chunk)
        if current.filename is None:
            if current.size > MAX_FIELD_BYTES:
                raise UploadError("upload.err_form", error=f"field {current.name!r} too long")
            current.buffer.extend(chunk)
            return
        assert current.policy is not None  # set when the file part began
        if current.size > current.policy.max_bytes:
            limit = human_bytes(current.policy.max_bytes)
            raise UploadError("upload.err_too_large", status_code=413, limit=limit)
        if current.handle is not None:
            pending.append((current.handle, chunk))
        else:
            current.buffer.extend(chunk)

    def on_part_end() -> None:
        if current.filename is None:
            if current.name in received.fields:
                raise UploadError("upload.err_form", error=f"field {current.name!r} repeated")
            received.fields[current.name] = current.buffer.decode("utf-8", "replace")
            return
        got = received.files[current.name]
        got.size = current.size
        if current.handle is None:
            got.data = bytes(current.buffer)
        else:
            handles.append(current.handle)

    def on_end() -> None:
        nonlocal ended
        ended = True

    handles: list[IO[bytes]] = []
    callbacks: Any = {
        "on_part_begin": on_part_begin,
        "on_part_data": on_part_data,
        "on_part_end": on_part_end,
        "on_header_field": on_header_field,
        "on_header_value": on_header_value,
        "on_header_end": on_header_end,
        "on_headers_finished": on_headers_finished,
        "on_end": on_end,
    }
    parser = MultipartParser(boundary, callbacks)
    total = 0
    try:
        async for chunk in request.stream():
            total += len(chunk)
            if total > limit:
                raise UploadError("upload.err_too_large", status_code=413, limit=human_bytes(limit))
            parser.write(chunk)
            if pending:
                batch = list(pending)
                pending.clear()
                # Disk writes off the event loop: a 2 GiB upload must not stall others.
                await anyio.to_thread.run_sync(_write_all, batch)
        parser.finalize()
        if not ended:  # python-multipart's finalize does not check this itself
            raise UploadError("upload.err_form", error="the body ends before the form does")
    except FormParserError as exc:
        raise UploadError("upload.err_form", error="malformed multipart body") from exc
    finally:
        if current.handle is not None and current.handle not in handles:
            handles.append(current.handle)
        for handle in handles:
            handle.close()
    return received


def _create(directory: Path) -> tuple[int, str]:
    return tempfile.mkstemp(prefix="upload-", dir=directory)


def _write_all(batch: list[tuple[IO[bytes], bytes]]) -> None:
    for handle, data in batch:
        handle.write(data)
