"""Configuration changes the law cares about, queued as ``config.changed`` entries.

Art. 20(1) forbids changing a system's use or a camera's pointing direction and coverage
(用途、指向方位和范围) without leave; Art. 17(4) fixes retention at 30 days or more; a
storage root taken away or a system taken out of operation stops recording. Each change
of one of these facts — through the API, the CLI or an import — queues one entry per
changed field, in the caller's transaction, so the change and its entry commit together
or not at all. The service that changes a row takes a snapshot with the ``*_facts``
function of its subject before and after, and hands both to :func:`record_changes`::

    before = camera_facts(camera, box=box)
    ...  # apply the change
    record_changes(session, subject=CAMERA, subject_id=camera.id, before=before,
                   after=camera_facts(camera, box=box), actor=actor_of(principal), at=now)

Secrets never enter the ledger — it cannot forget: stream URLs are redacted (user-info
password and secret-looking query parameters), and a username or password change is
recorded as the word ``changed`` with no value. Floats (degrees, metres) are written as
their shortest round-trip decimal string, since canonical entries admit no floats.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
from collections.abc import Collection, Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Final, TypeAlias
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlalchemy.orm import Session

from psvis.core.errors import PsvisError
from psvis.ledger import entries
from psvis.ledger import service as ledger
from psvis.recording.sources import REDACTED, redact_url

if TYPE_CHECKING:
    from psvis.auth.principal import Principal
    from psvis.core.secrets import SecretBox
    from psvis.recording.models import StorageRoot
    from psvis.registry.models import Camera, System

#: A fact as snapshotted: compared in memory; only non-secret ones are ever written.
Fact: TypeAlias = str | int | float | bool | None

CAMERA: Final = "camera"
SYSTEM: Final = "system"
STORAGE: Final = "storage"

#: What a secret field's entry says instead of its values.
CHANGED: Final = "changed"
SECRET_FIELDS: Final = frozenset({"username", "password"})

#: Query parameters whose values are credentials in the stream URLs cameras use
#: (``?user=admin&password=…``, signed ``?token=…``). Compared in lower case.
SECRET_QUERY_KEYS: Final = frozenset(
    {
        "password",
        "passwd",
        "pwd",
        "pass",
        "secret",
        "token",
        "access_token",
        "auth",
        "key",
        "apikey",
        "api_key",
        "sig",
        "signature",
    }
)


def redacted_url(url: str) -> str:
    """``url`` fit for the ledger: the user-info password masked (the project's
    :func:`~psvis.recording.sources.redact_url`) and the values of secret-looking query
    parameters masked too."""
    url = redact_url(url)
    if url == REDACTED:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return REDACTED
    if not parts.query:
        return url
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if not any(k.lower() in SECRET_QUERY_KEYS for k, _v in pairs):
        return url
    masked = [(k, REDACTED if k.lower() in SECRET_QUERY_KEYS else v) for k, v in pairs]
    return urlunsplit(parts._replace(query=urlencode(masked, safe="*")))


def _secret_digest(box: SecretBox, token: str) -> str:
    """A stand-in to compare passwords by (never written): setting the same password
    again changes the Fernet token but is no change. Falls back to the token itself when
    this key cannot read it."""
    if not token:
        return ""
    try:
        plain = box.decrypt(token)
    except PsvisError:
        return "token:" + token
    return hashlib.sha256(plain.encode("utf-8")).hexdigest()


def camera_facts(camera: Camera, *, box: SecretBox) -> dict[str, Fact]:
    """The camera facts Art. 20(1) and 17(4) protect: stream, credentials, retention,
    position and pointing (azimuth, field of view, range), role at the site, enabled."""
    return {
        "stream_url": redacted_url(camera.stream_url),
        "username": camera.username,
        "password": _secret_digest(box, camera.password_encrypted),
        "retention_days": camera.retention_days,
        "lat": camera.lat,
        "lon": camera.lon,
        "azimuth_deg": camera.azimuth_deg,
        "fov_deg": camera.fov_deg,
        "range_m": camera.range_m,
        "role": camera.role,
        "enabled": camera.enabled,
    }


def system_facts(system: System) -> dict[str, Fact]:
    """A system's retention (Art. 17(4)) and what decides whether it records: its
    lifecycle state (Art. 13, 15) and whether it is in operation."""
    return {
        "retention_days": system.retention_days,
        "state": system.state,
        "in_operation": system.in_operation,
    }


def storage_facts(root: StorageRoot | None) -> dict[str, Fact]:
    """A storage root's path and whether recordings go there; ``None`` for a root that
    does not exist yet (so adding one records its path and state as new)."""
    if root is None:
        return {"path": None, "enabled": None}
    return {"path": root.path, "enabled": root.enabled}


def cli_actor() -> str:
    """``cli:<login>`` for changes made at the server's console."""
    try:
        login = getpass.getuser()
    except (KeyError, OSError):  # no login name in the environment or passwd database
        login = "unknown"
    return f"cli:{login}"


def actor_of(principal: Principal) -> str:
    """Who made a change: a signed-in user's username, or ``cli:<login>`` for the
    console's operator principal (user id 0: no user row has it)."""
    return cli_actor() if principal.user_id == 0 else principal.username


def _written(value: Fact) -> str | int | None:
    """A fact as an entry holds it (bool is an int to the type checker and stays bool)."""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, StrEnum):
        return str(value)
    return value


def record_changes(
    session: Session,
    *,
    subject: str,
    subject_id: int,
    before: Mapping[str, Fact],
    after: Mapping[str, Fact],
    actor: str,
    at: dt.datetime,
    secret: Collection[str] = SECRET_FIELDS,
) -> int:
    """Queue one ``config.changed`` entry per field whose value differs between
    ``before`` and ``after`` (fields in ``after`` order); returns how many. Fields in
    ``secret`` are recorded as ``changed`` with no value. The caller commits."""
    camera_id = subject_id if subject == CAMERA else None
    count = 0
    for field, new in after.items():
        old = before.get(field)
        if old == new and isinstance(old, bool) == isinstance(new, bool):
            continue  # 30 and 30.0, an enum and its value: the same fact; True and 1 not
        old_value: str | int | None
        new_value: str | int | None
        if field in secret:
            old_value, new_value = None, CHANGED
        else:
            old_value, new_value = _written(old), _written(new)
        entry = entries.config_changed(
            subject=subject,
            subject_id=subject_id,
            field=field,
            old=old_value,
            new=new_value,
            actor=actor,
            at=at,
        )
        ledger.record(session, entry, camera_id=camera_id)
        count += 1
    return count
