"""What the custody pages share: China-time parsing and formatting, labels, the refusal
of a rule in the reader's language, and the names of the people on a request.

The law's refusals come from :mod:`psvis.custody.rules` with an English reason and a
stable ``rule`` code; the console shows the catalog's sentence for that code (zh-CN
first), citing the article, and falls back to the service's own message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from psvis.auth.models import User
from psvis.auth.policy import Action, Resource
from psvis.console.context import Ctx
from psvis.console.i18n import CATALOG, translate
from psvis.core.errors import InvalidInput, PsvisError
from psvis.core.timeutil import CHINA_TZ, as_utc
from psvis.custody.enums import CustodyAction, RequestState

#: The console's own custody pages (the API is under /api/v1/custody).
PREFIX = "/custody"
BOOK = "/registrations"
TOTP_PAGE = "/account/totp"
#: ``<input type="datetime-local">`` values, with or without seconds.
LOCAL_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S")


def china(value: dt.datetime | None) -> str:
    """A stored time in China time, to the second ("—" for none)."""
    if value is None:
        return "—"
    return as_utc(value).astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S")


def local_input(value: dt.datetime) -> str:
    """A time as a ``datetime-local`` input value in China time."""
    return as_utc(value).astimezone(CHINA_TZ).strftime("%Y-%m-%dT%H:%M:%S")


def parse_local(raw: str, *, field: str) -> dt.datetime:
    """A ``datetime-local`` value read as China time; aware UTC, or :class:`InvalidInput`."""
    text = raw.strip()
    for fmt in LOCAL_FORMATS:
        try:
            naive = dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
        return naive.replace(tzinfo=CHINA_TZ).astimezone(dt.UTC)
    raise InvalidInput(f"{field}: {text[:32]!r} is not a time (YYYY-MM-DDTHH:MM)")


def parse_day(raw: str, *, field: str) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise InvalidInput(f"{field}: {raw[:20]!r} is not a date (YYYY-MM-DD)") from exc


def day_start(day: dt.date) -> dt.datetime:
    """Midnight of a China-time civil day, as aware UTC."""
    return dt.datetime.combine(day, dt.time(), tzinfo=CHINA_TZ).astimezone(dt.UTC)


def whole_seconds(start: dt.datetime, end: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """``[start, end)`` shrunk to whole seconds: the console's time inputs carry seconds,
    and a range rounded *outwards* would reach outside what was approved."""
    begin = as_utc(start)
    if begin.microsecond:
        begin = begin.replace(microsecond=0) + dt.timedelta(seconds=1)
    finish = as_utc(end).replace(microsecond=0)
    return begin, finish


def state_label(state: RequestState, lang: str) -> str:
    return translate(f"custody.state.{state.value}", lang)


def action_label(action: str | CustodyAction, lang: str) -> str:
    return translate(f"custody.action.{CustodyAction(action).value}", lang)


def actions_text(actions: Iterable[str], lang: str) -> str:
    sep = "、" if lang == "zh-CN" else ", "
    return sep.join(action_label(a, lang) for a in sorted(actions))


def refusal_text(exc: PsvisError, lang: str) -> str:
    """The reader's sentence for a refusal: the catalog's text of its rule, with the
    article, else the service's message."""
    rule = str(exc.details.get("rule", ""))
    key = f"custody.rule.{rule}"
    if rule and key in CATALOG:
        text = translate(key, lang)
        article = str(exc.details.get("article", ""))
        if article:
            cited = exc.details.get("article_zh") if lang == "zh-CN" else article
            text += f"（{cited}）" if lang == "zh-CN" else f" ({cited})"
        return text
    return exc.message


def names_of(session: Session, user_ids: Iterable[int]) -> dict[int, User]:
    """The users behind ids on a request (requester, chief, officers)."""
    wanted = {i for i in user_ids if i}
    if not wanted:
        return {}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(wanted)))}


def person(user: User | None) -> str:
    if user is None:
        return "—"
    return user.display_name or user.username


def days_of(start: dt.datetime, end: dt.datetime) -> list[tuple[dt.date, dt.datetime, dt.datetime]]:
    """``[start, end)`` cut at China-time midnights: (day, start, end) pieces, so each
    piece is one camera-page day (the page's times are of one day)."""
    pieces = []
    cursor = as_utc(start)
    finish = as_utc(end)
    while cursor < finish:
        day = cursor.astimezone(CHINA_TZ).date()
        midnight = day_start(day + dt.timedelta(days=1))
        piece_end = min(finish, midnight)
        pieces.append((day, cursor, piece_end))
        cursor = piece_end
    return pieces


def clock_text(value: dt.datetime, *, end_of_day: bool = False) -> str:
    """HH:MM:SS in China time; a piece ending at midnight ends at the day's last second
    (the camera page's time inputs cannot say 24:00)."""
    if end_of_day:
        return "23:59:59"
    return as_utc(value).astimezone(CHINA_TZ).strftime("%H:%M:%S")


def tabs(ctx: Ctx) -> list[tuple[str, str, str]]:
    """The custody sub-navigation the viewer may use: (id, href, catalog key)."""
    principal = ctx.principal
    found: list[tuple[str, str, str]] = []
    if principal.may(Resource.CUSTODY_REQUEST, Action.READ):
        if principal.may(Resource.CUSTODY_REQUEST, Action.APPROVE):
            found.append(("queue", f"{PREFIX}?view=queue", "custody.tab_queue"))
        found.append(("mine", f"{PREFIX}?view=mine", "custody.tab_mine"))
        found.append(("all", f"{PREFIX}?view=all", "custody.tab_all"))
    if principal.may(Resource.CUSTODY_REQUEST, Action.CREATE):
        found.append(("new", f"{PREFIX}/new", "custody.tab_new"))
    if principal.may(Resource.CUSTODY_REGISTRATION, Action.READ):
        found.append(("book", BOOK, "nav.registrations"))
    if principal.may(Resource.TOTP, Action.UPDATE):
        found.append(("totp", TOTP_PAGE, "custody.tab_totp"))
    return found


def render(
    ctx: Ctx, template: str, *, tab: str, status_code: int = 200, **values: Any
) -> HTMLResponse:
    """A custody page with its sub-navigation."""
    return ctx.render(template, status_code=status_code, tab=tab, tabs=tabs(ctx), **values)
