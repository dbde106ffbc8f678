"""Commendations in the console (Art. 22): the list, each linked to the record it came
from, and the bureau's form (unit, source kind and id, title, reason, day)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from psvis.auth.policy import Action, Resource
from psvis.console.context import ConsoleCtx, Ctx
from psvis.console.enforcement_pages import PREFIX, _validation_text, refusal_text
from psvis.console.route import ConsoleRoute
from psvis.core.errors import PsvisError
from psvis.enforcement import commendations
from psvis.enforcement.commendation_rules import SourceKind
from psvis.enforcement.commendation_schemas import CommendationCreate

router: APIRouter = APIRouter(route_class=ConsoleRoute)
BASE = f"{PREFIX}/commendations"
Field = Annotated[str, Form(max_length=200)]
LongField = Annotated[str, Form(max_length=2000)]
FIELDS = ("unit_id", "source_kind", "source_id", "title", "reason", "awarded_on")
#: Where each kind of source is shown in the console.
SOURCE_LINKS = {
    SourceKind.SUSPICIOUS_REPORT: "/enforcement/duties#report-{id}",
    SourceKind.CUSTODY_REQUEST: "/custody/requests/{id}",
    SourceKind.CASE: "/enforcement/cases/{id}",
}


def render(
    ctx: Ctx, *, values: dict[str, str] | None = None, error: str = "", status_code: int = 200
) -> HTMLResponse:
    ctx.require(Resource.COMMENDATION)
    rows, _ = commendations.list_commendations(ctx.session, principal=ctx.principal, limit=200)
    return ctx.render(
        "enforcement/commendations.html",
        status_code=status_code,
        rows=[(r, SOURCE_LINKS[r.source_kind].format(id=r.source_id)) for r in rows],
        kinds=list(SourceKind),
        values=dict.fromkeys(FIELDS, "") | (values or {}),
        error=error,
        may_commend=ctx.principal.may(Resource.COMMENDATION, Action.CREATE),
    )


@router.get(BASE)
def commendation_page(ctx: ConsoleCtx) -> HTMLResponse:
    return render(ctx)


@router.post(BASE)
def commend(
    ctx: ConsoleCtx,
    csrf_token: Field = "",
    unit_id: Field = "",
    source_kind: Field = "",
    source_id: Field = "",
    title: Field = "",
    reason: LongField = "",
    awarded_on: Field = "",
) -> Response:
    ctx.check_csrf(csrf_token)
    values = dict(
        zip(FIELDS, (unit_id, source_kind, source_id, title, reason, awarded_on), strict=True)
    )
    try:
        data = CommendationCreate.model_validate({k: v for k, v in values.items() if v.strip()})
        commendations.commend(ctx.session, principal=ctx.principal, data=data)
        ctx.session.commit()
    except ValidationError as exc:
        ctx.session.rollback()
        return render(ctx, values=values, error=_validation_text(exc), status_code=422)
    except PsvisError as exc:
        ctx.session.rollback()
        if exc.status_code == 403:
            raise
        return render(
            ctx, values=values, error=refusal_text(exc, ctx.lang), status_code=exc.status_code
        )
    return RedirectResponse(BASE, status_code=303)
