"""Rotating the checkpoint signing key (``psvis ledger rotate-key``).

1. :func:`psvis.ledger.keys.rotate` moves the private key to
   ``keys/retired/<key id>.pem`` (its public PEM beside it) and creates a new key (0600);
2. in one transaction: the old key's ``ledger_key`` row gets ``retired_at`` (its public
   key stays, so every checkpoint it signed still verifies), the new key is registered,
   a ``config.changed`` entry (subject ``ledger``, field ``signing_key``, old → new key
   id) is queued, and a checkpoint is signed with the new key — so the first checkpoint
   of the new key commits to the leaf announcing it;
3. the note is appended to the checkpoint log file.

If the database step fails, the files are put back as they were (the new key signed
nothing that was kept) and the error is raised: a rotation happens whole or not at all.
Processes that loaded the old key (``psvis serve``, ``psvis record``) sign with it until
restarted; witnesses need the new public key added (``--log-key`` is repeatable).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from psvis.core.config import Settings
from psvis.core.db import session_scope
from psvis.core.timeutil import utcnow
from psvis.ledger import entries, service
from psvis.ledger.checkpoints import Checkpoint
from psvis.ledger.keys import LEDGER_KEY, PublicKey, public_path, rotate
from psvis.ledger.models import LedgerKey


def _undo(data_dir: Path, old: PublicKey) -> None:
    keys = data_dir / "keys"
    retired = keys / "retired"
    for suffix in (".pem", ".pub.pem"):
        (keys / f"{LEDGER_KEY}{suffix}").unlink(missing_ok=True)
    os.replace(retired / f"{old.key_id}.pem", keys / f"{LEDGER_KEY}.pem")
    os.replace(retired / f"{old.key_id}.pub.pem", public_path(data_dir))


def rotate_signing_key(
    sessions: sessionmaker[Session], *, settings: Settings, now: dt.datetime | None = None
) -> tuple[PublicKey, PublicKey, Checkpoint]:
    """Retire the signing key and sign a checkpoint with a new one: (old, new, checkpoint)."""
    now = now or utcnow()
    data_dir = settings.data_dir
    old, new = rotate(data_dir)
    try:
        with session_scope(sessions) as session:
            service.ensure_log(session, node_name=settings.node_name, key=new)
            row = session.get(LedgerKey, old.key_id)
            if row is None:
                session.add(LedgerKey(key_id=old.key_id, public_key=old.raw, retired_at=now))
            else:
                row.retired_at = now
            service.record(
                session,
                entries.config_changed(
                    subject="ledger",
                    subject_id=0,
                    field="signing_key",
                    old=old.key_id,
                    new=new.public.key_id,
                    actor="operator (CLI)",
                    at=now,
                ),
            )
            checkpoint = service.sign_checkpoint(
                session, key=new, data_dir=data_dir, now=now, max_age=dt.timedelta(0)
            )
            assert checkpoint is not None  # max_age 0: always signs
    except BaseException:
        _undo(data_dir, old)
        raise
    service.append_to_log(data_dir, checkpoint)
    return old, new.public, checkpoint
