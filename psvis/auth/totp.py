"""Time-based one-time passwords (RFC 6238, TOTP) for the second officer of a custody
session.

Art. 19 asks for at least two officers when footage is viewed, copied or retrieved; the
second one proves presence in the first one's browser session with a password *and* a
TOTP code from an authenticator app. The usual parameters are used (HMAC-SHA-1, 30 s
steps, 6 digits: what every authenticator app shows); secrets are 160 bits (RFC 4226
§4 R6 recommends 160, requires at least 128).

:func:`verify` returns the accepted time-step counter; the caller stores it and passes
it back as ``last_counter`` next time, so a code — or any older code — is accepted at
most once (RFC 6238 §5.2: "the verifier MUST NOT accept the second attempt of the OTP
after the successful validation has been issued for the first OTP").

    secret = new_secret()
    uri = provisioning_uri(secret, username="li.si")      # shown as a QR code
    counter = verify(secret, "492039", last_counter=user.totp_counter, now=utcnow())
    if counter is None: refuse
    user.totp_counter = counter
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import re
import secrets

import pyotp

from psvis.core.errors import InvalidInput

__all__ = [
    "DIGITS",
    "MAX_WINDOW",
    "STEP_S",
    "code_at",
    "counter_at",
    "new_secret",
    "provisioning_uri",
    "verify",
]

#: Seconds per time step (RFC 6238 §5.2 recommends 30).
STEP_S = 30
#: Digits of a code (what authenticator apps show by default).
DIGITS = 6
#: Secret length: 160 bits (RFC 4226 §4 R6).
SECRET_BYTES = 20
#: RFC 4226 §4 R6: a shared secret of at least 128 bits.
MIN_SECRET_BYTES = 16
#: Steps either side of now that may be accepted; more would widen the guessing window
#: for little gain (RFC 6238 §5.2 recommends at most one step of network delay).
MAX_WINDOW = 10

# ASCII digits only: str.isdigit() and \d accept "１２３４５６" and other scripts' digits,
# and pyotp's own comparison NFKC-normalises them into a match.
_CODE = re.compile(r"[0-9]{6}", re.ASCII)


def new_secret() -> str:
    """A fresh random secret: 160 bits from the OS CSPRNG, base32 without padding."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def _otp(secret: str, *, digits: int = DIGITS) -> pyotp.TOTP:
    if not isinstance(secret, str) or not secret:
        raise InvalidInput("TOTP secret must be a non-empty base32 string")
    try:
        padded = secret + "=" * (-len(secret) % 8)
        raw = base64.b32decode(padded, casefold=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidInput("TOTP secret is not valid base32") from exc
    if len(raw) < MIN_SECRET_BYTES:
        raise InvalidInput(f"TOTP secret must have at least {MIN_SECRET_BYTES * 8} bits")
    return pyotp.TOTP(secret, digits=digits, digest=hashlib.sha1, interval=STEP_S)


def provisioning_uri(secret: str, *, username: str, issuer: str = "psvis") -> str:
    """The ``otpauth://totp/...`` URI an authenticator app scans (Key URI Format)."""
    if not username.strip():
        raise InvalidInput("username is required for a TOTP provisioning URI")
    # The label is "issuer:account"; a colon inside the issuer would make it ambiguous.
    if not issuer.strip() or ":" in issuer:
        raise InvalidInput("issuer must be non-empty and contain no colon")
    return str(_otp(secret).provisioning_uri(name=username, issuer_name=issuer))


def counter_at(now: dt.datetime) -> int:
    """The RFC 6238 time-step counter T = floor((unix time - T0) / X), T0 = 0, X = 30."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise InvalidInput("the time must be timezone-aware")
    return int(now.timestamp() // STEP_S)


def code_at(secret: str, *, at: dt.datetime, digits: int = DIGITS) -> str:
    """The code valid at ``at`` (authenticator side; tests and enrolment checks)."""
    return str(_otp(secret, digits=digits).generate_otp(counter_at(at)))


def verify(
    secret: str,
    code: str,
    *,
    last_counter: int | None,
    now: dt.datetime,
    window: int = 1,
) -> int | None:
    """The counter of the time step whose code equals ``code``, or None.

    Accepted: exactly six ASCII digits matching a step within ``window`` steps of
    ``now`` and later than ``last_counter`` (a replayed or older code is refused).
    Every candidate step is compared, with :func:`hmac.compare_digest`, so the time
    taken does not reveal which step matched. A malformed secret or time raises
    :class:`~psvis.core.errors.InvalidInput` (a server-side fault, not a wrong code).
    """
    if not 0 <= window <= MAX_WINDOW:
        raise InvalidInput(f"window must be between 0 and {MAX_WINDOW} steps")
    otp = _otp(secret)
    current = counter_at(now)
    if not isinstance(code, str) or _CODE.fullmatch(code) is None:
        return None
    given = code.encode("ascii")
    accepted: int | None = None
    for counter in range(current - window, current + window + 1):
        if counter < 0:
            continue
        expected = str(otp.generate_otp(counter)).encode("ascii")
        fresh = last_counter is None or counter > last_counter
        # Both comparisons are always made: no early exit on a match.
        if hmac.compare_digest(expected, given) and fresh:
            accepted = counter  # ascending: the latest matching step wins
    return accepted
