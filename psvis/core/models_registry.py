"""Import every domain's tables so ``Base.metadata`` is complete (Alembic, tests)."""

from __future__ import annotations

from psvis.auth import models as auth_models
from psvis.compliance import models as compliance_models
from psvis.core.db import Base
from psvis.custody import models as custody_models
from psvis.enforcement import (
    commendation_models,
    duty_models,
    inspection_models,
    planning_models,
    report_models,
)
from psvis.enforcement import models as enforcement_models
from psvis.health import models as health_models
from psvis.ledger import models as ledger_models
from psvis.recording import models as recording_models
from psvis.registry import models as registry_models

__all__ = [
    "Base",
    "auth_models",
    "commendation_models",
    "compliance_models",
    "custody_models",
    "duty_models",
    "enforcement_models",
    "health_models",
    "inspection_models",
    "ledger_models",
    "planning_models",
    "recording_models",
    "registry_models",
    "report_models",
]
