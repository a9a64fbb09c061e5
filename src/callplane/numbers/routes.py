"""HTTP routes of the numbers feature."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["numbers"])
