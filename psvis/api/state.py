"""What the running app holds: built once in the lifespan, never at import."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from psvis.core.config import Settings
from psvis.core.secrets import SecretBox


@dataclass(frozen=True, slots=True)
class AppState:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    box: SecretBox
