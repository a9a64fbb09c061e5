"""HTTP routes of the trunks feature."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["trunks"])
