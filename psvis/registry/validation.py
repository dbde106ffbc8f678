"""Checks shared by the API, the CLI and the importer, collecting every problem at once.

Each check returns a list of :class:`Problem`; a problem that carries an article is the
regulation refusing (Art. 9, Art. 17(4)), the others are malformed input.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from psvis.compliance import rules
from psvis.core.errors import InvalidInput, Refused
from psvis.registry.codes import credit_code_problems, gb_id_problems
from psvis.registry.enums import AcceptanceResult, LifecycleState, SiteCategory

ALLOWED_STREAM_SCHEMES = ("rtsp", "rtsps", "http", "https", "file", "gb28181")


@dataclass(frozen=True, slots=True)
class Problem:
    field: str
    message: str
    article: str = ""
    article_zh: str = ""
    rule: str = ""

    def as_dict(self) -> dict[str, str]:
        out = {"field": self.field, "message": self.message}
        if self.article:
            out |= {"article": self.article, "article_zh": self.article_zh, "rule": self.rule}
        return out


def refusal(field: str, decision: rules.Decision) -> Problem:
    return Problem(
        field=field,
        message=f"{decision.reason} ({decision.article} / {decision.article_zh})",
        article=decision.article,
        article_zh=decision.article_zh,
        rule=decision.rule,
    )


def raise_if_any(problems: Sequence[Problem], *, what: str) -> None:
    """Raise :class:`Refused` if the regulation refuses, else :class:`InvalidInput`."""
    if not problems:
        return
    listed = [p.as_dict() for p in problems]
    for problem in problems:
        if problem.article:
            raise Refused(
                f"{what} refused: {problem.message.rsplit(' (', 1)[0]}",
                article=problem.article,
                article_zh=problem.article_zh,
                rule=problem.rule,
                details={"problems": listed},
            )
    raise InvalidInput(
        f"{what} is invalid: " + "; ".join(f"{p.field}: {p.message}" for p in problems),
        details={"problems": listed},
    )


def credit_code(code: str) -> list[Problem]:
    return [Problem("credit_code", m) for m in credit_code_problems(code)]


def retention(days: int | None, *, field: str = "retention_days") -> list[Problem]:
    if days is None:
        return []
    decision = rules.retention_allowed(days)
    return [] if decision.ok else [refusal(field, decision)]


def camera_site(category: SiteCategory) -> list[Problem]:
    decision = rules.camera_placement_allowed(category)
    return [] if decision.ok else [refusal("system_id", decision)]


def camera_gb_id(
    gb_id: str, *, jurisdiction_codes: Iterable[str], camera_type_codes: Iterable[str]
) -> list[Problem]:
    return [
        Problem("gb_id", m)
        for m in gb_id_problems(
            gb_id, jurisdiction_codes=jurisdiction_codes, camera_type_codes=camera_type_codes
        )
    ]


def stream_url(url: str) -> list[Problem]:
    if not url:
        return []
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        return [Problem("stream_url", f"not a URL: {exc}")]
    if parts.scheme not in ALLOWED_STREAM_SCHEMES:
        return [
            Problem(
                "stream_url",
                f"scheme {parts.scheme!r} not supported ({', '.join(ALLOWED_STREAM_SCHEMES)})",
            )
        ]
    if any(ord(ch) < 32 for ch in url):
        return [Problem("stream_url", "control characters are not allowed")]
    if parts.scheme != "file" and not parts.hostname:
        return [Problem("stream_url", "a network stream URL needs a host")]
    try:
        parts.port  # noqa: B018 - parsing the port is the check
    except ValueError:
        # Not the parser's message: it quotes the text, which may be a password
        # ("rtsp://user:secret/..." without "@").
        return [Problem("stream_url", "the port must be a number from 0 to 65535")]
    return []


class MalformedUrl(InvalidInput, ValueError):
    """A stream URL the parser rejects. The message never repeats the URL: it may hold a
    password."""


def split_credentials(url: str) -> tuple[str, str, str]:
    """Take ``user:password@`` out of a stream URL so the password is stored encrypted,
    not in a plain column (and never shown). Returns (clean_url, username, password)."""
    if not url:
        return url, "", ""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise MalformedUrl(
            "stream_url is not a valid URL (check host and port)",
            details={"problems": [{"field": "stream_url", "message": "not a valid URL"}]},
        ) from exc
    if parts.username is None and parts.password is None:
        return url, "", ""
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{port}" if port else "")
    clean = parts._replace(netloc=netloc).geturl()
    # user-info is percent-encoded in a URL; the stored secret is the decoded one.
    return clean, unquote(parts.username or ""), unquote(parts.password or "")


@dataclass(frozen=True, slots=True)
class LifecycleFacts:
    state: LifecycleState
    acceptance_police_participant: str
    acceptance_date: dt.date | None
    acceptance_result: AcceptanceResult | None
    removal_notice_date: dt.date | None
    planned_removal_date: dt.date | None
    removed_on: dt.date | None
    commissioned_on: dt.date | None
    filing_date: dt.date | None
    in_operation: bool


def lifecycle(facts: LifecycleFacts) -> list[Problem]:
    """The facts each lifecycle state needs (Art. 13: acceptance with police participant;
    Art. 15: notice and planned removal dates), and dates in a possible order."""
    problems: list[Problem] = []
    state = facts.state
    accepted_like = state in (
        LifecycleState.ACCEPTED,
        LifecycleState.REMOVAL_NOTIFIED,
        LifecycleState.REMOVED,
    )
    if state is LifecycleState.ACCEPTED or (accepted_like and facts.acceptance_date):
        if not facts.acceptance_police_participant:
            problems.append(
                Problem(
                    "acceptance_police_participant",
                    "acceptance needs the police officer who took part (Art. 13)",
                )
            )
        if facts.acceptance_date is None:
            problems.append(Problem("acceptance_date", "acceptance needs its date"))
        if facts.acceptance_result is not AcceptanceResult.PASSED:
            problems.append(
                Problem("acceptance_result", "an accepted system must have passed acceptance")
            )
    if state in (LifecycleState.REMOVAL_NOTIFIED,):
        if facts.removal_notice_date is None:
            problems.append(Problem("removal_notice_date", "removal notice needs its date"))
        if facts.planned_removal_date is None:
            problems.append(
                Problem("planned_removal_date", "removal notice needs the planned date")
            )
    if state is LifecycleState.REMOVED:
        if facts.removed_on is None:
            problems.append(Problem("removed_on", "a removed system needs its removal date"))
        if facts.in_operation:
            problems.append(Problem("in_operation", "a removed system cannot be in operation"))
    if (
        facts.removal_notice_date
        and facts.planned_removal_date
        and facts.planned_removal_date < facts.removal_notice_date
    ):
        problems.append(Problem("planned_removal_date", "planned removal is before the notice"))
    if facts.commissioned_on and facts.filing_date and facts.filing_date < facts.commissioned_on:
        problems.append(Problem("filing_date", "filed before the system was commissioned"))
    return problems
