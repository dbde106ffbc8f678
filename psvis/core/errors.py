"""The error hierarchy every domain raises; the API and CLI turn them into answers.

PsvisError
├── NotFound           404: does not exist, or lies outside the caller's scope
├── Forbidden          403: visible, but the caller's role may not do this
├── Conflict           409: duplicates or a state that does not allow the change
├── InvalidInput       422: malformed or out-of-range input
└── Refused            422: the regulation forbids it; carries the article
"""

from __future__ import annotations

from typing import Any


class PsvisError(Exception):
    """Base of psvis's own errors. ``code`` is stable and machine-readable."""

    status_code = 400
    code = "error"

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return body


class NotFound(PsvisError):
    status_code = 404
    code = "not_found"


class Forbidden(PsvisError):
    status_code = 403
    code = "forbidden"


class Conflict(PsvisError):
    status_code = 409
    code = "conflict"


class InvalidInput(PsvisError):
    status_code = 422
    code = "invalid_input"


class Unauthenticated(PsvisError):
    status_code = 401
    code = "unauthenticated"


class Refused(PsvisError):
    """The regulation forbids the act. The message names the article in both languages."""

    status_code = 422
    code = "refused_by_regulation"

    def __init__(
        self,
        message: str,
        *,
        article: str,
        article_zh: str,
        rule: str,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(
            f"{message} ({article} / {article_zh})",
            details={"article": article, "article_zh": article_zh, "rule": rule, **(details or {})},
        )
        self.article = article
        self.article_zh = article_zh
        self.rule = rule
