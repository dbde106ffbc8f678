"""Monthly reports in the console (Art. 21): pick a jurisdiction of one's own subtree and
a month, see the figures, download them as XLSX or PDF (generated now, with charts), and
the reports the schedule archived (served only while they match their SHA-256).
Every page is a GET: nothing here changes state, so no CSRF token is needed.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from psvis.api.deps import ObjectId
from psvis.auth.policy import Resource
from psvis.console.context import ConsoleCtx
from psvis.console.enforcement_pages import PREFIX, refusal_text
from psvis.console.i18n import translate
from psvis.console.params import Choice
from psvis.console.route import ConsoleRoute
from psvis.core.errors import NotFound, Refused
from psvis.core.timeutil import today_china
from psvis.enforcement import report_rules, reports

router: APIRouter = APIRouter(route_class=ConsoleRoute)
BASE = f"{PREFIX}/reports"
CODE = re.compile(r"[0-9]{6}")


def _month(text: str) -> dt.date | None:
    try:
        return report_rules.parse_month(text.strip())
    except ValueError:
        return None


def _download(data: bytes, *, fmt: str, name: str) -> Response:
    return Response(
        data,
        media_type=reports.MEDIA_TYPES[fmt],
        headers={
            "Content-Disposition": f"attachment; filename={name}; filename*=UTF-8''{quote(name)}",
            "Cache-Control": "no-store",
        },
    )


@router.get(BASE)
def report_page(ctx: ConsoleCtx, jurisdiction: Choice = "", month: Choice = "") -> HTMLResponse:
    ctx.require(Resource.REPORT)
    choices = ctx.scope_jurisdictions
    code = jurisdiction or (ctx.principal.jurisdiction_code or (choices[0].code if choices else ""))
    chosen = _month(month) if month else report_rules.previous_month(today_china())
    error, figures = "", None
    if chosen is None:
        error = translate("report.bad_month", ctx.lang)
    else:
        try:
            figures = reports.monthly(ctx.session, principal=ctx.principal, code=code, month=chosen)
        except Refused as exc:
            error = refusal_text(exc, ctx.lang)
        except NotFound as exc:
            error = exc.message
    stored, _ = reports.list_reports(ctx.session, principal=ctx.principal, limit=24)
    return ctx.render(
        "enforcement/reports.html",
        status_code=422 if error else 200,
        choices=choices,
        code=code,
        month=month or (report_rules.month_label(chosen) if chosen else ""),
        figures=figures,
        error=error,
        stored=stored,
    )


# Before the generated files' route, which would take "stored" for a jurisdiction code.
@router.get(BASE + "/stored/{report_id}/{fmt}")
def stored_file(ctx: ConsoleCtx, report_id: ObjectId, fmt: str) -> Response:
    row, data = reports.stored_file(
        ctx.session,
        principal=ctx.principal,
        report_id=report_id,
        fmt=fmt,
        data_dir=ctx.request.app.state.psvis.settings.data_dir,
    )
    return _download(data, fmt=fmt, name=reports.file_name(row.jurisdiction_code, row.month, fmt))


@router.get(BASE + "/{code}/{month}/{fmt}")
def report_file(ctx: ConsoleCtx, code: str, month: str, fmt: str, lang: Choice = "") -> Response:
    """The report generated now, in the page's language unless ``lang`` says otherwise."""
    first = _month(month)
    if fmt not in reports.FORMATS or first is None or not CODE.fullmatch(code):
        raise NotFound("no such report file")
    figures = reports.monthly(ctx.session, principal=ctx.principal, code=code, month=first)
    language = lang if lang in ("zh-CN", "en") else ctx.lang
    data = (
        reports.render_xlsx(figures, lang=language)
        if fmt == "xlsx"
        else reports.render_pdf(figures, lang=language)
    )
    return _download(data, fmt=fmt, name=reports.file_name(code, first, fmt))
