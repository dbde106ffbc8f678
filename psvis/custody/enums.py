"""Closed vocabularies of the custody domain (Art. 18-19)."""

from __future__ import annotations

import enum


class DepartmentKind(enum.StrEnum):
    """Who asks (Art. 18): a police bureau, or another department acting under its own
    laws (then the request must cite that legal basis)."""

    POLICE = "police"
    OTHER = "other"


class CustodyAction(enum.StrEnum):
    """What a request may ask for, in the words of Art. 18."""

    #: 查阅: watch recorded footage (the footage gate's ``playback``).
    VIEW = "view"
    #: 复制: take a copy (a clip; the footage gate's ``export``).
    COPY = "copy"
    #: 调取: retrieve as evidence (an evidence package; the footage gate's ``export``).
    RETRIEVE = "retrieve"
    #: 接入、直接使用: connect to and directly use the unit's system. Recorded on the
    #: request and in the registration; no media route of this node needs it yet.
    DIRECT_ACCESS = "direct_access"


class RequestState(enum.StrEnum):
    """A request's life: requested → approved | rejected; approved → expired (its
    validity window ended) | closed (the requester or a chief ended it early)."""

    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"
    CLOSED = "closed"


class AccessKind(enum.StrEnum):
    """One logged access to a segment during an execution session."""

    #: Segment bytes or a frame of it delivered for watching.
    VIEW = "view"
    #: Part of a clip (a copy without re-encoding).
    COPY = "copy"
    #: Part of an evidence package or a watermarked viewing copy.
    EXPORT = "export"
