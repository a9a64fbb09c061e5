"""HTTP routes of the messaging feature."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["messaging"])
