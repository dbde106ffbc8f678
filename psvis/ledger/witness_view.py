"""What the audit asks the witness: its last cosigned checkpoint of this log."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from psvis.core.config import Settings
from psvis.core.errors import PsvisError
from psvis.ledger import tree
from psvis.ledger.audit import WitnessCheckpoint
from psvis.ledger.keys import PublicKey


def witness_checkpoint(
    session: Session, *, settings: Settings, url: str | None, key_path: Path | None
) -> WitnessCheckpoint | None:
    """The witness's view (``url`` or ``settings.witness_url``), its cosignature verified
    with ``key_path`` (or the first of ``settings.witness_public_keys``); None when no
    witness is configured. An unreachable or lying witness is an error, not a pass."""
    url = url or settings.witness_url
    if not url:
        return None
    path = key_path or (settings.witness_public_keys[0] if settings.witness_public_keys else None)
    if path is None:
        raise PsvisError("a witness URL needs the witness's public key (--witness-key)")
    from psvis.ledger.witness import fetch_witness_view

    key = PublicKey.read(path)
    view = fetch_witness_view(url, origin=tree.head(session).origin, witness_key=key)
    return WitnessCheckpoint(
        checkpoint=view.checkpoint, witness=view.cosignature.witness_name, alarms=tuple(view.alarms)
    )
