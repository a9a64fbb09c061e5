"""The OpenAPI document: operation ids (`ids`), error codes (`errors`), request examples
(`examples`) and the completed document (`document`); `python -m callplane.openapi` writes it."""

from __future__ import annotations

from callplane.openapi.document import build, install
from callplane.openapi.ids import operation_id

__all__ = ["build", "install", "operation_id"]
