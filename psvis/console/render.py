"""Rendering: the Jinja environment, the page language, links and cookies."""

from __future__ import annotations

import datetime as dt
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from psvis.console.i18n import article_text, label, normalise_language, translate

TEMPLATE_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
LANG_COOKIE = "psvis_lang"
LANG_COOKIE_DAYS = 365

ENV = Environment(
    loader=FileSystemLoader(TEMPLATE_DIR),
    autoescape=select_autoescape(["html", "svg"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
ENV.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}


class LoginRequired(Exception):
    """No valid session cookie: the console answers with a redirect to the sign-in form."""


def default_language(request: Request) -> str:
    state = getattr(request.app.state, "psvis", None)
    return state.settings.default_language if state is not None else "zh-CN"


def secure_cookies(request: Request) -> bool:
    state = getattr(request.app.state, "psvis", None)
    return bool(state is not None and state.settings.secure_cookies)


def query_language(request: Request) -> str | None:
    return normalise_language(request.query_params.get("lang"))


def page_language(request: Request) -> str:
    """``?lang=`` first, then the ``psvis_lang`` cookie, then the configured default."""
    return (
        query_language(request)
        or normalise_language(request.cookies.get(LANG_COOKIE))
        or default_language(request)
    )


def url_with(request: Request, **changes: object) -> str:
    """The current path with query parameters changed (None or "" removes one)."""
    params = {k: v for k, v in request.query_params.items() if k != "lang"}
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = str(value)
    query = urlencode(params)
    return f"{request.url.path}?{query}" if query else request.url.path


def link(path: str, **params: object) -> str:
    """``path`` with the non-empty ``params`` as its query string."""
    query = urlencode({k: str(v) for k, v in params.items() if v is not None and v != ""})
    return f"{path}?{query}" if query else path


def _format_time(value: dt.datetime | dt.date | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return value.isoformat()


def render_page(
    request: Request,
    template: str,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """Render ``template`` in the request's language; remember ``?lang=`` in a cookie."""
    lang = page_language(request)
    other = "en" if lang == "zh-CN" else "zh-CN"
    switch_params = {k: v for k, v in request.query_params.items() if k != "lang"}
    switch_params["lang"] = other
    html = ENV.get_template(template).render(
        lang=lang,
        t=partial(_t, lang),
        label=partial(_label, lang),
        when=_format_time,
        url_with=partial(url_with, request),
        link=link,
        art=partial(_art, lang),
        path=request.url.path,
        switch_url=f"{request.url.path}?{urlencode(switch_params)}",
        **context,
    )
    response = HTMLResponse(html, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Language"] = lang
    if query_language(request) is not None:
        response.set_cookie(
            LANG_COOKIE,
            lang,
            max_age=LANG_COOKIE_DAYS * 86400,
            httponly=True,
            samesite="strict",
            secure=secure_cookies(request),
        )
    return response


def _t(lang: str, key: str, **values: object) -> str:
    return translate(key, lang, **values)


def _art(lang: str, article: str) -> str:
    return article_text(article, lang) if article else "—"


def _label(lang: str, kind: str, value: object) -> str:
    return label(kind, value, lang)
