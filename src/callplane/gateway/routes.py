"""HTTP routes of the gateway feature."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["gateway"])
