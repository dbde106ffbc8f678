"""Where a recorder's ffmpeg reads a camera from: the input half of its argv.

A :class:`Source` gives the ffmpeg options up to and including ``-i <input>``; the recorder
appends ``-c copy -f segment …`` (docs/design/recording.md). :func:`source_for` picks the
kind from a camera's stream URL and puts its credentials into the URL handed to ffmpeg
*only*: :meth:`Source.redacted` (and ``repr``/``str``) never shows a password, so a source
can be logged as it is.

Kinds: RTSP/RTSPS (:class:`RtspSource`), MPEG-TS or FLV over HTTP(S) (:class:`HttpSource`),
a local file played in a loop at its own rate (:class:`FileSource`, tests and demos), and a
local endpoint some other component feeds (:class:`LocalStreamSource`).

GB/T 28181 plug-in point
------------------------
A GB/T 28181 camera does not serve a URL: after SIP signalling (INVITE with an SDP offer)
it *sends* an MPEG Program Stream in RTP (payload ``PS/90000``) to a port of ours, which
ffmpeg's RTP demuxer cannot unpack. The gateway that a later issue adds signals the camera,
strips RTP and hands the PS bytes to the recorder's ffmpeg on a local endpoint (a UDP port
on 127.0.0.1 or a FIFO) — that is :class:`LocalStreamSource` with ``demuxer="mpeg"``.
It makes the link by registering a factory for the ``gb28181`` scheme::

    register_scheme("gb28181", lambda url, user, password: gateway.open(url, ...))

Until then :func:`source_for` refuses ``gb28181://`` URLs with a clear error.
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import ClassVar, Literal
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from psvis.core.errors import InvalidInput
from psvis.registry import validation

#: Socket timeout for network sources: a camera silent this long is an error, not a hang.
DEFAULT_TIMEOUT_S = 10.0
REDACTED = "***"

Transport = Literal["tcp", "udp"]


class SourceKind(StrEnum):
    RTSP = "rtsp"
    HTTP = "http"
    FILE = "file"
    LOCAL = "local"


class UnsupportedSource(InvalidInput):
    """A stream URL the recorder cannot read. The message never repeats the URL (it may
    hold a password); at most its scheme."""

    code = "unsupported_source"


def redact_url(url: str) -> str:
    """``url`` with the password of its user-info (if any) replaced by ``***``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return REDACTED
    if "@" not in parts.netloc:
        return url
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user, sep, _password = userinfo.partition(":")
    netloc = f"{user}:{REDACTED}@{hostport}" if sep else f"{user}@{hostport}"
    return urlunsplit(parts._replace(netloc=netloc))


def _scrub_url(url: str, text: str) -> str:
    """Mask ``url``'s password in ``text``, percent-encoded or decoded."""
    try:
        password = urlsplit(url).password
    except ValueError:
        return text
    if not password:
        return text
    text = text.replace(url, redact_url(url))
    for form in {password, unquote(password)}:
        text = text.replace(f":{form}@", f":{REDACTED}@")
        if len(form) >= 3:  # a one- or two-character password would mask half the line
            text = text.replace(form, REDACTED)
    return text


def with_credentials(url: str, username: str, password: str) -> str:
    """``url`` with ``username:password@`` (percent-encoded) in place of any user-info.

    ffmpeg decodes percent-escapes in user-info for HTTP and RTSP authentication, so any
    character (``@``, ``:``, ``/``, ``%``, non-ASCII) is safe in a password.
    """
    if not username and not password:
        return url
    if not username:
        raise InvalidInput("a stream password needs a username")
    parts = urlsplit(url)
    hostport = parts.netloc.rpartition("@")[2]
    userinfo = quote(username, safe="")
    if password:
        userinfo += ":" + quote(password, safe="")
    return urlunsplit(parts._replace(netloc=f"{userinfo}@{hostport}"))


def _microseconds(seconds: float) -> str:
    if seconds <= 0:
        raise ValueError("timeout must be positive")
    return str(round(seconds * 1_000_000))


class Source(abc.ABC):
    """The input of one recorder ffmpeg. ``str``/``repr`` are the redacted form."""

    kind: ClassVar[SourceKind]

    @abc.abstractmethod
    def input_args(self) -> list[str]:
        """ffmpeg options before and including ``-i <input>`` (argv items, no shell)."""

    @abc.abstractmethod
    def redacted(self) -> str:
        """The input as it may be logged: never a password."""

    def scrub(self, text: str) -> str:
        """``text`` (an ffmpeg log line) with this source's password masked: ffmpeg repeats
        the input URL, credentials included, in its errors ("Error opening input file …")."""
        return text

    def __str__(self) -> str:
        return self.redacted()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.redacted()!r})"


@dataclass(frozen=True, repr=False)
class RtspSource(Source):
    """An RTSP(S) camera. ``url`` may carry ``user:password@`` (percent-encoded).

    TCP interleaving is the default: no UDP port range to open and no loss on a busy
    network; ``udp`` for cameras that refuse TCP.
    """

    kind: ClassVar[SourceKind] = SourceKind.RTSP

    url: str
    transport: Transport = "tcp"
    timeout_s: float = DEFAULT_TIMEOUT_S

    def __post_init__(self) -> None:
        if self.transport not in ("tcp", "udp"):
            raise InvalidInput(f"RTSP transport must be tcp or udp, not {self.transport!r}")
        if urlsplit(self.url).scheme not in ("rtsp", "rtsps"):
            raise UnsupportedSource("an RTSP source needs an rtsp:// or rtsps:// URL")
        _microseconds(self.timeout_s)

    def input_args(self) -> list[str]:
        # -timeout: socket I/O timeout in microseconds (ffmpeg >= 5; formerly -stimeout).
        return [
            "-rtsp_transport",
            self.transport,
            "-timeout",
            _microseconds(self.timeout_s),
            "-i",
            self.url,
        ]

    def redacted(self) -> str:
        return redact_url(self.url)

    def scrub(self, text: str) -> str:
        return _scrub_url(self.url, text)


@dataclass(frozen=True, repr=False)
class HttpSource(Source):
    """MPEG-TS or FLV served over HTTP(S); the container is probed."""

    kind: ClassVar[SourceKind] = SourceKind.HTTP

    url: str
    timeout_s: float = DEFAULT_TIMEOUT_S

    def __post_init__(self) -> None:
        if urlsplit(self.url).scheme not in ("http", "https"):
            raise UnsupportedSource("an HTTP source needs an http:// or https:// URL")
        _microseconds(self.timeout_s)

    def input_args(self) -> list[str]:
        # -rw_timeout: any read or connect blocking longer than this fails (microseconds).
        return ["-rw_timeout", _microseconds(self.timeout_s), "-i", self.url]

    def redacted(self) -> str:
        return redact_url(self.url)

    def scrub(self, text: str) -> str:
        return _scrub_url(self.url, text)


@dataclass(frozen=True, repr=False)
class FileSource(Source):
    """A local recording replayed forever at its own frame rate, like a live camera."""

    kind: ClassVar[SourceKind] = SourceKind.FILE

    path: Path

    def input_args(self) -> list[str]:
        # The "file:" prefix keeps a name with a colon from being taken for a protocol.
        return ["-stream_loop", "-1", "-re", "-i", f"file:{self.path}"]

    def redacted(self) -> str:
        return str(self.path)


@dataclass(frozen=True, repr=False)
class LocalStreamSource(Source):
    """A stream another component of this host feeds to ffmpeg: a UDP port on the loopback
    (``udp://127.0.0.1:PORT``) or a FIFO path. The GB/T 28181 gateway's output (PS with
    RTP removed: ``demuxer="mpeg"``) comes in this way; see the module docstring."""

    kind: ClassVar[SourceKind] = SourceKind.LOCAL

    endpoint: str
    demuxer: str = "mpeg"
    timeout_s: float = DEFAULT_TIMEOUT_S
    extra: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        scheme = urlsplit(self.endpoint).scheme
        if scheme == "udp":
            host = urlsplit(self.endpoint).hostname
            if host not in ("127.0.0.1", "localhost", "::1"):
                raise InvalidInput("a local stream endpoint must be on the loopback")
        elif scheme not in ("", "file", "pipe"):
            raise UnsupportedSource(f"local stream endpoint scheme {scheme!r} is not supported")
        _microseconds(self.timeout_s)

    def input_args(self) -> list[str]:
        args = ["-f", self.demuxer, *self.extra]
        if urlsplit(self.endpoint).scheme == "udp":
            # The udp protocol's timeout is in microseconds too.
            args += ["-timeout", _microseconds(self.timeout_s)]
        endpoint = self.endpoint
        if urlsplit(endpoint).scheme == "":
            endpoint = f"file:{endpoint}"
        return [*args, "-i", endpoint]

    def redacted(self) -> str:
        return self.endpoint


#: ``(url_with_no_credentials, username, password) -> Source`` for one URL scheme.
SourceFactory = Callable[[str, str, str], Source]


def _rtsp(url: str, username: str, password: str) -> Source:
    return RtspSource(with_credentials(url, username, password))


def _http(url: str, username: str, password: str) -> Source:
    return HttpSource(with_credentials(url, username, password))


def _file(url: str, username: str, password: str) -> Source:
    if username or password:
        raise InvalidInput("a file source takes no credentials")
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        raise InvalidInput("a file:// URL must name a local path (file:///path)")
    return FileSource(Path(unquote(parts.path)))


_FACTORIES: dict[str, SourceFactory] = {
    "rtsp": _rtsp,
    "rtsps": _rtsp,
    "http": _http,
    "https": _http,
    "file": _file,
}


def register_scheme(scheme: str, factory: SourceFactory) -> None:
    """Plug in a source kind for ``scheme`` (the GB/T 28181 gateway: ``gb28181``)."""
    _FACTORIES[scheme.lower()] = factory


def supported_schemes() -> tuple[str, ...]:
    return tuple(sorted(_FACTORIES))


def source_for(url: str, *, username: str = "", password: str = "") -> Source:
    """The source for a camera's stream URL, credentials injected for ffmpeg only.

    ``username``/``password`` are the camera's stored credentials; user-info already in
    the URL is used when they are empty and replaced when they are given.
    """
    if not url:
        raise InvalidInput("the camera has no stream URL")
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError as exc:
        raise InvalidInput("stream URL is not a valid URL") from exc
    factory = _FACTORIES.get(scheme)
    if factory is None:
        if scheme == "gb28181":
            raise UnsupportedSource(
                "GB/T 28181 cameras need the SIP gateway, which is not available yet "
                "(psvis.recording.sources.register_scheme is its plug-in point)"
            )
        if not scheme:
            raise UnsupportedSource(
                f"stream URL has no scheme (supported: {', '.join(supported_schemes())})"
            )
        raise UnsupportedSource(
            f"stream URL scheme {scheme!r} is not supported by the recorder "
            f"(supported: {', '.join(supported_schemes())})"
        )
    if scheme in validation.ALLOWED_STREAM_SCHEMES:
        problems = validation.stream_url(url)
        if problems:
            raise InvalidInput(
                "stream URL is invalid: " + "; ".join(p.message for p in problems),
                details={"problems": [p.as_dict() for p in problems]},
            )
    clean, url_user, url_password = validation.split_credentials(url)
    # User-info in a URL is percent-encoded; split_credentials leaves it as written.
    url_user, url_password = unquote(url_user), unquote(url_password)
    if username or password:
        url_user, url_password = username, password
    return factory(clean, url_user, url_password)
