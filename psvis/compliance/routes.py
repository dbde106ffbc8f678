"""Findings API."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from psvis.api.deps import CurrentPrincipal, DbSession, ObjectId, permission
from psvis.auth.policy import Action, Resource
from psvis.compliance import service
from psvis.compliance.schemas import CheckSummaryRead, FindingRead
from psvis.core.schemas import Page

router = APIRouter()


@router.get(
    "/findings", response_model=Page[FindingRead], **permission(Resource.FINDING, Action.READ)
)
def list_findings(
    session: DbSession,
    principal: CurrentPrincipal,
    status: Literal["open", "resolved"] | None = None,
    rule: Annotated[str | None, Query(max_length=64)] = None,
    article: Annotated[str | None, Query(max_length=32)] = None,
    jurisdiction: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    subject_type: Annotated[str | None, Query(max_length=16)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    # Bounded like the registry lists: an offset past a 64-bit integer overflowed the
    # database driver (a 500); no list is anywhere near ten million rows.
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Page[FindingRead]:
    rows, total = service.list_findings(
        session,
        principal=principal,
        status=status,
        rule=rule,
        article=article,
        jurisdiction_code=jurisdiction,
        subject_type=subject_type,
        limit=limit,
        offset=offset,
    )
    items = [FindingRead.model_validate(r) for r in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get(
    "/findings/{finding_id}",
    response_model=FindingRead,
    **permission(Resource.FINDING, Action.READ),
)
def get_finding(
    session: DbSession, principal: CurrentPrincipal, finding_id: ObjectId
) -> FindingRead:
    finding = service.get_finding(session, principal=principal, finding_id=finding_id)
    return FindingRead.model_validate(finding)


@router.post(
    "/compliance/check",
    response_model=CheckSummaryRead,
    **permission(Resource.COMPLIANCE, Action.RUN),
)
def run_check(session: DbSession) -> CheckSummaryRead:
    return CheckSummaryRead.model_validate(service.run_check(session))
