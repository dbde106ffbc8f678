"""My one-time-code authenticator (动态口令): the second factor a second officer proves
when a two-officer session opens (Art. 19).

Two steps, so a secret that never reached the phone cannot replace a working one:

1. "New secret" makes a fresh secret and shows it — as a QR code (an SVG drawn by
   ``segno`` on the server, no script), as the ``otpauth://`` URI and as text. The page
   carries it only encrypted with the data directory's key (a hidden field, bound to the
   user and valid for :data:`PENDING_MINUTES`): nothing is stored yet.
2. "Confirm" takes a code from the app; the secret is stored only if the code matches
   (:func:`psvis.custody.enrol.confirm_totp`). Replacing an authenticator also needs a
   code of the current one.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated

import segno
from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from psvis.auth import totp
from psvis.auth.models import User
from psvis.auth.policy import Action, Resource
from psvis.console.context import ConsoleCtx, Ctx
from psvis.console.custody_common import TOTP_PAGE, render
from psvis.console.i18n import translate
from psvis.console.params import Choice
from psvis.console.route import ConsoleRoute
from psvis.core.errors import Forbidden, InvalidInput, PsvisError
from psvis.core.timeutil import utcnow
from psvis.custody import service
from psvis.custody.enrol import ISSUER

router = APIRouter(route_class=ConsoleRoute)

#: How long a shown secret may be confirmed.
PENDING_MINUTES = 15
Field = Annotated[str, Form(max_length=2000)]


def seal(ctx: Ctx, secret: str, now: dt.datetime) -> str:
    box = ctx.request.app.state.psvis.box
    return str(
        box.encrypt(
            json.dumps({"u": ctx.principal.user_id, "s": secret, "t": int(now.timestamp())})
        )
    )


def unseal(ctx: Ctx, token: str, now: dt.datetime) -> str:
    """The pending secret of this user, or :class:`InvalidInput` (expired, foreign,
    tampered: all alike)."""
    expired = InvalidInput(translate("totp.err_pending", ctx.lang))
    try:
        facts = json.loads(ctx.request.app.state.psvis.box.decrypt(token))
    except (PsvisError, ValueError, UnicodeError) as exc:
        raise expired from exc
    if (
        not isinstance(facts, dict)
        or facts.get("u") != ctx.principal.user_id
        or not isinstance(facts.get("s"), str)
        or not isinstance(facts.get("t"), int)
        or now.timestamp() - facts["t"] > PENDING_MINUTES * 60
        or facts["t"] > now.timestamp() + 60
    ):
        raise expired
    return str(facts["s"])


def _page(
    ctx: Ctx,
    *,
    secret: str = "",
    pending: str = "",
    error: str = "",
    done: bool = False,
    status_code: int = 200,
) -> HTMLResponse:
    ctx.principal.reach(Resource.TOTP, Action.UPDATE)
    user = ctx.session.get(User, ctx.principal.user_id)
    assert user is not None
    uri = qr = ""
    if secret:
        uri = totp.provisioning_uri(secret, username=user.username, issuer=ISSUER)
        # A data: URI image (the CSP allows data: images; no inline script or SVG markup).
        qr = segno.make(uri, error="m").svg_data_uri(scale=5, border=2)
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return render(
        ctx,
        "custody/totp.html",
        status_code=status_code,
        tab="totp",
        enrolled=user.totp_secret_encrypted is not None,
        username=user.username,
        secret=grouped,
        uri=uri,
        qr=qr,
        pending=pending,
        error=error,
        done=done,
        minutes=PENDING_MINUTES,
    )


@router.get(TOTP_PAGE)
def totp_page(ctx: ConsoleCtx, done: Choice = "") -> HTMLResponse:
    return _page(ctx, done=done == "1")


@router.post(f"{TOTP_PAGE}/new")
def totp_new(ctx: ConsoleCtx, csrf_token: Field = "") -> HTMLResponse:
    ctx.check_csrf(csrf_token)
    ctx.principal.reach(Resource.TOTP, Action.UPDATE)
    secret = totp.new_secret()
    return _page(ctx, secret=secret, pending=seal(ctx, secret, utcnow()))


@router.post(f"{TOTP_PAGE}/confirm")
def totp_confirm(
    ctx: ConsoleCtx,
    csrf_token: Field = "",
    pending: Field = "",
    code: Field = "",
    current_code: Field = "",
) -> Response:
    ctx.check_csrf(csrf_token)
    ctx.principal.reach(Resource.TOTP, Action.UPDATE)
    now = utcnow()
    secret = unseal(ctx, pending, now)  # an expired or foreign secret: the error page
    try:
        service.confirm_totp(
            ctx.session,
            principal=ctx.principal,
            box=ctx.request.app.state.psvis.box,
            secret=secret,
            code=code.replace(" ", "").strip(),
            current_code=current_code.replace(" ", "").strip() or None,
            now=now,
        )
    except (InvalidInput, Forbidden) as exc:
        ctx.session.rollback()
        key = "totp.err_current" if isinstance(exc, Forbidden) else "totp.err_code"
        return _page(
            ctx,
            secret=secret,
            pending=pending,
            error=translate(key, ctx.lang),
            status_code=exc.status_code,
        )
    return RedirectResponse(f"{TOTP_PAGE}?done=1", status_code=303)
