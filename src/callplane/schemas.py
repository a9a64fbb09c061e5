"""Shared schema pieces: strict request models and list envelopes."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict

T = TypeVar("T")


class StrictModel(BaseModel):
    """Request bodies: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ListOf(BaseModel, Generic[T]):
    """`{"data": [...], "next_cursor": ...}`."""

    data: list[T]
    next_cursor: str | None = None
