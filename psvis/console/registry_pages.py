"""Units and sites: lists with filters and pagination, detail pages with related objects."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from psvis.api.deps import ObjectId
from psvis.console.context import ConsoleCtx
from psvis.console.params import (
    DEFAULT_LIMIT,
    Choice,
    Limit,
    Offset,
    Pager,
    Text,
    code_or_none,
    enum_or_none,
)
from psvis.console.refs import unit_names
from psvis.console.route import ConsoleRoute
from psvis.registry import service, systems
from psvis.registry.enums import SiteCategory, UnitKind

router = APIRouter(route_class=ConsoleRoute)

RELATED_LIMIT = 50


@router.get("/units")
def unit_list(
    ctx: ConsoleCtx,
    jurisdiction: Choice = "",
    kind: Choice = "",
    q: Text = "",
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> HTMLResponse:
    rows, total = service.list_units(
        ctx.session,
        principal=ctx.principal,
        jurisdiction_code=code_or_none(jurisdiction),
        kind=enum_or_none(UnitKind, kind),
        q=q or None,
        limit=limit,
        offset=offset,
    )
    return ctx.render(
        "units.html",
        rows=rows,
        pager=Pager(limit, offset, total),
        f={"jurisdiction": jurisdiction, "kind": kind, "q": q},
        kinds=list(UnitKind),
    )


@router.get("/units/{unit_id}")
def unit_detail(ctx: ConsoleCtx, unit_id: ObjectId) -> HTMLResponse:
    unit = service.get_unit(ctx.session, principal=ctx.principal, unit_id=unit_id)
    sites, site_total = service.list_sites(
        ctx.session, principal=ctx.principal, unit_id=unit.id, limit=RELATED_LIMIT
    )
    return ctx.render("unit.html", unit=unit, sites=sites, site_total=site_total)


@router.get("/sites")
def site_list(
    ctx: ConsoleCtx,
    jurisdiction: Choice = "",
    category: Choice = "",
    unit: Choice = "",
    q: Text = "",
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> HTMLResponse:
    unit_id = int(unit) if unit.isdigit() else None
    rows, total = service.list_sites(
        ctx.session,
        principal=ctx.principal,
        jurisdiction_code=code_or_none(jurisdiction),
        category=enum_or_none(SiteCategory, category),
        unit_id=unit_id,
        q=q or None,
        limit=limit,
        offset=offset,
    )
    units = unit_names(ctx.session, ctx.principal, (s.responsible_unit_id for s in rows))
    return ctx.render(
        "sites.html",
        rows=rows,
        units=units,
        pager=Pager(limit, offset, total),
        f={"jurisdiction": jurisdiction, "category": category, "q": q, "unit": unit},
        categories=list(SiteCategory),
    )


@router.get("/sites/{site_id}")
def site_detail(ctx: ConsoleCtx, site_id: ObjectId) -> HTMLResponse:
    site = service.get_site(ctx.session, principal=ctx.principal, site_id=site_id)
    site_systems, system_total = systems.list_systems(
        ctx.session, principal=ctx.principal, site_id=site.id, limit=RELATED_LIMIT
    )
    return ctx.render(
        "site.html",
        site=site,
        units=unit_names(ctx.session, ctx.principal, [site.responsible_unit_id]),
        systems=site_systems,
        system_total=system_total,
    )
