"""Registry import/export API — placeholder until the importer lands."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
