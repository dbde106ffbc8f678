"""The overview (dashboard) and the compliance findings."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from psvis.api.deps import ObjectId
from psvis.compliance import service as compliance
from psvis.compliance.models import Finding
from psvis.compliance.rules import FINDING_RULES
from psvis.console.context import ConsoleCtx, Ctx
from psvis.console.params import DEFAULT_LIMIT, Choice, Limit, Offset, Pager, code_or_none
from psvis.console.refs import camera_names, site_names, system_names, unit_names
from psvis.console.route import ConsoleRoute
from psvis.console.stats import ARTICLES, overview
from psvis.core.errors import InvalidInput

router = APIRouter(route_class=ConsoleRoute)

STATUSES = ("open", "resolved")
#: Finding subjects that have a console page.
SUBJECT_PAGES = {"site": "/sites", "system": "/systems", "camera": "/cameras", "unit": "/units"}


def subject_names(ctx: Ctx, findings: list[Finding]) -> dict[tuple[str, int], str]:
    """Names of the findings' subjects the viewer can open, keyed by (type, id)."""
    lookups = {
        "site": site_names,
        "system": system_names,
        "camera": camera_names,
        "unit": unit_names,
    }
    names: dict[tuple[str, int], str] = {}
    for kind, lookup in lookups.items():
        ids = [f.subject_id for f in findings if f.subject_type == kind]
        for object_id, name in lookup(ctx.session, ctx.principal, ids).items():
            names[(kind, object_id)] = name
    return names


def _choice(raw: str, allowed: tuple[str, ...], what: str) -> str | None:
    if not raw:
        return None
    if raw not in allowed:
        raise InvalidInput(f"unknown {what} {raw!r}")
    return raw


@router.get("/")
def dashboard(ctx: ConsoleCtx) -> HTMLResponse:
    codes = [j.code for j in ctx.scope_jurisdictions]
    return ctx.render("dashboard.html", o=overview(ctx.session, ctx.principal, codes))


@router.get("/findings")
def finding_list(
    ctx: ConsoleCtx,
    article: Choice = "",
    rule: Choice = "",
    status: Choice = "open",
    jurisdiction: Choice = "",
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> HTMLResponse:
    rows, total = compliance.list_findings(
        ctx.session,
        principal=ctx.principal,
        status=_choice(status, STATUSES, "status"),
        rule=_choice(rule, FINDING_RULES, "rule"),
        article=_choice(article, ARTICLES, "article"),
        jurisdiction_code=code_or_none(jurisdiction),
        limit=limit,
        offset=offset,
    )
    return ctx.render(
        "findings.html",
        rows=rows,
        pager=Pager(limit, offset, total),
        f={"article": article, "rule": rule, "status": status, "jurisdiction": jurisdiction},
        articles=ARTICLES,
        rules=FINDING_RULES,
        statuses=STATUSES,
        subject_pages=SUBJECT_PAGES,
        subjects=subject_names(ctx, rows),
    )


@router.get("/findings/{finding_id}")
def finding_detail(ctx: ConsoleCtx, finding_id: ObjectId) -> HTMLResponse:
    finding = compliance.get_finding(ctx.session, principal=ctx.principal, finding_id=finding_id)
    return ctx.render(
        "finding.html",
        finding=finding,
        subject_pages=SUBJECT_PAGES,
        subjects=subject_names(ctx, [finding]),
    )
