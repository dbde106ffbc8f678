"""Enrolling one's TOTP authenticator: the second factor the second officer of an
execution session proves (Art. 19). The secret is stored encrypted with the data dir's
SecretBox (like camera passwords) and shown once, as a provisioning URI.

Replacing an enrolled authenticator needs a valid current code: otherwise whoever learnt
an officer's password could enrol their own phone and become that officer at a session.
(A lost phone is an administrator's reset — not built yet.)
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from psvis.auth import totp
from psvis.auth.models import User
from psvis.auth.policy import Action, Resource
from psvis.auth.principal import Principal
from psvis.core.errors import Forbidden, InvalidInput
from psvis.core.secrets import SecretBox
from psvis.core.timeutil import utcnow
from psvis.custody import acts
from psvis.custody.acts import Act

ISSUER = "psvis"


def _replacing_allowed(
    user: User, *, box: SecretBox, current_code: str | None, now: dt.datetime
) -> bool:
    """Whether ``user`` already has an authenticator; if so, ``current_code`` must be a
    valid code of it (else :class:`Forbidden`)."""
    if user.totp_secret_encrypted is None:
        return False
    counter = (
        totp.verify(
            box.decrypt(user.totp_secret_encrypted),
            current_code,
            last_counter=user.totp_last_counter,
            now=now,
        )
        if current_code
        else None
    )
    if counter is None:
        raise Forbidden("replacing your authenticator needs a valid code from the current one")
    return True


def enroll_totp(
    session: Session,
    *,
    principal: Principal,
    box: SecretBox,
    current_code: str | None = None,
    issuer: str = ISSUER,
    now: dt.datetime | None = None,
) -> str:
    """Give the caller a fresh TOTP secret; returns the ``otpauth://`` URI (only now)."""
    moment = now or utcnow()
    principal.reach(Resource.TOTP, Action.UPDATE)
    user = session.get(User, principal.user_id)
    assert user is not None
    replacing = _replacing_allowed(user, box=box, current_code=current_code, now=moment)
    secret = totp.new_secret()
    user.totp_secret_encrypted = box.encrypt(secret)
    # Codes of the new secret at or before the last accepted step stay refused: the
    # counter only moves forward, so a code seen before can never be replayed.
    session.flush()
    acts.log(session, Act.TOTP_ENROLLED, at=moment, user=user.id, replaced=replacing)
    return totp.provisioning_uri(secret, username=user.username, issuer=issuer)


def confirm_totp(
    session: Session,
    *,
    principal: Principal,
    box: SecretBox,
    secret: str,
    code: str,
    current_code: str | None = None,
    now: dt.datetime | None = None,
) -> None:
    """Enrol ``secret`` — shown to the caller beforehand (the console's two-step
    enrolment) — only once a ``code`` of it proves the authenticator holds it, so a
    mistyped or unscanned secret never replaces a working one. The confirming code is
    spent (its step becomes the last accepted one)."""
    moment = now or utcnow()
    principal.reach(Resource.TOTP, Action.UPDATE)
    user = session.get(User, principal.user_id)
    assert user is not None
    replacing = _replacing_allowed(user, box=box, current_code=current_code, now=moment)
    counter = totp.verify(secret, code, last_counter=user.totp_last_counter, now=moment)
    if counter is None:
        raise InvalidInput("the code does not match the new secret: check the time and try again")
    user.totp_secret_encrypted = box.encrypt(secret)
    user.totp_last_counter = counter
    session.flush()
    acts.log(session, Act.TOTP_ENROLLED, at=moment, user=user.id, replaced=replacing)
