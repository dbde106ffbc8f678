"""Who is looking at a console page, in which language, with what they may open.

:func:`console_context` is the dependency every signed-in page takes: it resolves the
``psvis_session`` cookie (no cookie or a dead session → :class:`LoginRequired`, i.e. the
sign-in form) and carries the request's database session and language.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from psvis.api.deps import SESSION_COOKIE, DbSession
from psvis.auth import service as auth_service
from psvis.auth.policy import Action, Resource
from psvis.auth.principal import Principal
from psvis.console.render import LoginRequired, page_language, render_page
from psvis.core.errors import Forbidden, Unauthenticated
from psvis.registry.jurisdictions import list_all
from psvis.registry.models import Jurisdiction

#: Navigation entries: (path, catalog key, resource whose READ the link needs).
NAV: tuple[tuple[str, str, Resource | None], ...] = (
    ("/", "nav.dashboard", None),
    ("/units", "nav.units", Resource.UNIT),
    ("/sites", "nav.sites", Resource.SITE),
    ("/systems", "nav.systems", Resource.SYSTEM),
    ("/cameras", "nav.cameras", Resource.CAMERA),
    ("/findings", "nav.findings", Resource.FINDING),
    ("/map", "nav.map", Resource.CAMERA),
    ("/ledger", "nav.ledger", Resource.LEDGER),
    ("/custody", "nav.custody", Resource.CUSTODY_REQUEST),
    ("/registrations", "nav.registrations", Resource.CUSTODY_REGISTRATION),
    ("/enforcement", "nav.enforcement", Resource.ENFORCEMENT_CASE),
    ("/health", "nav.health", Resource.HEALTH),
    ("/health/tickets", "nav.tickets", Resource.TICKET),
)


@dataclass(frozen=True, slots=True)
class Viewer:
    """The signed-in user of a page and the session's CSRF secret (echoed in forms)."""

    principal: Principal
    csrf_token: str
    display_name: str
    session_token: str

    def may_read(self, resource: Resource) -> bool:
        return self.principal.may(resource, Action.READ)

    @property
    def nav(self) -> list[tuple[str, str]]:
        return [(path, key) for path, key, res in NAV if res is None or self.may_read(res)]


@dataclass
class Ctx:
    """Everything a page handler needs: request, database session, viewer, language."""

    request: Request
    session: Session
    viewer: Viewer
    lang: str
    _jurisdictions: list[Jurisdiction] | None = field(default=None, repr=False)

    @property
    def principal(self) -> Principal:
        return self.viewer.principal

    @property
    def jurisdictions(self) -> list[Jurisdiction]:
        """The whole tree (every signed-in user may read it), ordered by code."""
        if self._jurisdictions is None:
            self._jurisdictions = list_all(self.session)
        return self._jurisdictions

    @property
    def scope_jurisdictions(self) -> list[Jurisdiction]:
        """The nodes offered as a filter: the viewer's subtree (police) or the whole tree."""
        covered = self.principal.covered_codes
        return [j for j in self.jurisdictions if not covered or j.code in covered]

    def jname(self, code: str | None) -> str:
        for node in self.jurisdictions:
            if node.code == code:
                return node.name_en if self.lang == "en" else node.name
        return code or "—"

    def require(self, resource: Resource) -> None:
        """403 when the role may not read ``resource`` at all."""
        if not self.viewer.may_read(resource):
            raise Forbidden(f"role {self.principal.role.value} may not read {resource.value}")

    def render(self, template: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
        return render_page(
            self.request,
            template,
            status_code=status_code,
            viewer=self.viewer,
            jname=self.jname,
            scope_jurisdictions=self.scope_jurisdictions,
            **context,
        )

    def check_csrf(self, sent: str) -> None:
        if not sent or not secrets.compare_digest(sent, self.viewer.csrf_token):
            raise Forbidden("missing or wrong CSRF token")


def current_viewer(request: Request, session: Session) -> Viewer | None:
    """The viewer behind the session cookie, or None."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    try:
        user, row = auth_service.resolve_token(session, token=cookie, kind="session")
    except Unauthenticated:
        return None
    principal = auth_service.principal_for(session, user=user)
    return Viewer(
        principal=principal,
        csrf_token=row.csrf_token,
        display_name=user.display_name or user.username,
        session_token=cookie,
    )


def console_context(request: Request, session: DbSession) -> Ctx:
    viewer = current_viewer(request, session)
    if viewer is None:
        raise LoginRequired
    return Ctx(request=request, session=session, viewer=viewer, lang=page_language(request))


ConsoleCtx = Annotated[Ctx, Depends(console_context)]
