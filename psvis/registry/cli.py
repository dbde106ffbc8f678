"""Registry file commands (import/export) — placeholder until the importer lands."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Attach the registry's file commands to the ``psvis`` app."""
    del app
