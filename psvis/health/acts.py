"""Health acts on the ledger (``health`` entries): a fault diagnosed, a ticket opened,
acknowledged, reported repaired or closed, a finding filed or resolved, a baseline
captured. Entries hold no floats: metric values go in as decimal strings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from psvis.ledger import entries
from psvis.ledger import service as ledger


def decimal_strings(metrics: Mapping[str, float]) -> dict[str, str]:
    """Metric values as decimal strings (4 significant decimals), sorted by name."""
    return {name: f"{value:.4f}" for name, value in sorted(metrics.items())}


def record(session: Session, *, act: str, at: dt.datetime, camera_id: int, **facts: Any) -> None:
    """Queue a ``health`` entry in the caller's transaction."""
    ledger.record(session, entries.health(act=act, at=at, camera=camera_id, **facts))
