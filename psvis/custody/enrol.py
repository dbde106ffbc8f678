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
from psvis.core.errors import Forbidden
from psvis.core.secrets import SecretBox
from psvis.core.timeutil import utcnow
from psvis.custody import acts
from psvis.custody.acts import Act

ISSUER = "psvis"


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
    replacing = user.totp_secret_encrypted is not None
    if replacing:
        assert user.totp_secret_encrypted is not None
        counter = (
            totp.verify(
                box.decrypt(user.totp_secret_encrypted),
                current_code,
                last_counter=user.totp_last_counter,
                now=moment,
            )
            if current_code
            else None
        )
        if counter is None:
            raise Forbidden("replacing your authenticator needs a valid code from the current one")
    secret = totp.new_secret()
    user.totp_secret_encrypted = box.encrypt(secret)
    # Codes of the new secret at or before the last accepted step stay refused: the
    # counter only moves forward, so a code seen before can never be replayed.
    session.flush()
    acts.log(session, Act.TOTP_ENROLLED, at=moment, user=user.id, replaced=replacing)
    return totp.provisioning_uri(secret, username=user.username, issuer=issuer)
