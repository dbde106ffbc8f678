"""A user unit's Art. 17 duties as pure decisions (no database, no clock).

* Art. 17(1) — rules on file (duty monitoring, retention and use, operation and
  maintenance) and the duty-monitoring logs: a log covers a period of days that has
  passed (``duty_log_period``).
* Art. 17(2) — staff trained in skills and confidentiality: a training counts through
  its last day, inclusive (``training_current``); recorded trainings are not in the
  future and expire after they were given (``training_record``).
* Art. 17(5) — suspicious information reported to the police: the unit reports what its
  *own* camera recorded (``report_camera_not_own``), as a non-empty half-open range that
  has passed (``report_range_empty``, ``report_range_future``), at most
  :data:`MAX_REPORT_SPAN` long (``report_range_too_long``); the police acknowledge it once
  (``report_already_acknowledged``). The report names footage; it never carries it:
  retrieving it is a request under Art. 18-19.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Final

from psvis.compliance.rules import Decision

#: The longest range one report names (a day: longer footage is several reports, or
#: the police's own retrieval request).
MAX_REPORT_SPAN: Final = dt.timedelta(hours=24)


class DocumentKind(enum.StrEnum):
    #: 值班监看制度 (Art. 17(1)).
    DUTY_RULES = "duty_rules"
    #: 信息保存使用制度.
    RETENTION_RULES = "retention_rules"
    #: 运行维护制度.
    OM_RULES = "om_rules"
    #: 值班监看记录: covers a period of days.
    DUTY_LOG = "duty_log"


class TrainingTopic(enum.StrEnum):
    #: 专业技能 (Art. 17(2)).
    SKILLS = "skills"
    #: 保密.
    CONFIDENTIALITY = "confidentiality"


class ReportKind(enum.StrEnum):
    """Art. 17(5): 涉及公共安全的可疑信息、突发事件、违法犯罪."""

    PUBLIC_SECURITY = "public_security"
    EMERGENCY = "emergency"
    CRIME = "crime"


def _d(ok: bool, rule: str, article: str, article_zh: str, reason: str) -> Decision:
    return Decision(ok=ok, rule=rule, article=article, article_zh=article_zh, reason=reason)


def duty_log_period(
    kind: DocumentKind, start: dt.date | None, end: dt.date | None, *, today: dt.date
) -> Decision:
    a, z = "Art. 17(1)", "第十七条第（一）项"
    if kind is not DocumentKind.DUTY_LOG:
        if start is not None or end is not None:
            return _d(False, "duty_rules_no_period", a, z, "rules on file have no period")
        return _d(True, "duty_document_ok", a, z, "")
    if start is None or end is None:
        return _d(False, "duty_log_period_required", a, z, "a duty log names the days it covers")
    if start > end:
        return _d(False, "duty_log_period_order", a, z, "the period ends before it starts")
    if end > today:
        return _d(False, "duty_log_period_future", a, z, "a duty log covers days that have passed")
    return _d(True, "duty_document_ok", a, z, "")


def training_record(trained_on: dt.date, expires_on: dt.date, *, today: dt.date) -> Decision:
    a, z = "Art. 17(2)", "第十七条第（二）项"
    if trained_on > today:
        return _d(False, "training_in_future", a, z, "a training is recorded once it was given")
    if expires_on <= trained_on:
        return _d(False, "training_expiry_order", a, z, "a training expires after it was given")
    return _d(True, "training_ok", a, z, "")


def training_current(expires_on: dt.date, *, today: dt.date) -> Decision:
    """Whether the training still counts on ``today`` (through ``expires_on``)."""
    ok = today <= expires_on
    return _d(
        ok,
        "training_expired",
        "Art. 17(2)",
        "第十七条第（二）项",
        "" if ok else f"the training expired on {expires_on.isoformat()}",
    )


def report_allowed(
    *, camera_is_own: bool, start: dt.datetime, end: dt.datetime, now: dt.datetime
) -> Decision:
    a, z = "Art. 17(5)", "第十七条第（五）项"
    if not camera_is_own:
        return _d(
            False, "report_camera_not_own", a, z, "a unit reports what its own cameras recorded"
        )
    if end <= start:
        return _d(False, "report_range_empty", a, z, "the range must end after it starts")
    if end > now:
        return _d(False, "report_range_future", a, z, "the range must have passed")
    if end - start > MAX_REPORT_SPAN:
        return _d(False, "report_range_too_long", a, z, "one report names at most 24 hours")
    return _d(True, "report_ok", a, z, "")


def acknowledge_allowed(*, acknowledged: bool) -> Decision:
    return _d(
        not acknowledged,
        "report_already_acknowledged",
        "Art. 17(5)",
        "第十七条第（五）项",
        "the report was acknowledged already" if acknowledged else "",
    )
