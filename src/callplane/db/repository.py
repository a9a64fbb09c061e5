"""Tenant-scoped repository: the only place that writes the `tenant_id` filter."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import (
    ColumnElement,
    Executable,
    Result,
    Select,
    and_,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from callplane.db.base import Base
from callplane.errors import ApiError, NotFound
from callplane.tenancy import TenantScope

M = TypeVar("M", bound=Base)
R = TypeVar("R")


class InvalidCursor(ApiError):
    """The cursor was not one this API gave out."""

    status_code = 400
    code = "invalid_cursor"


def encode_cursor(created_at: datetime, row_id: uuid.UUID) -> str:
    """An opaque cursor pointing just after this row."""
    raw = f"{created_at.isoformat()}|{row_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    """Undo `encode_cursor`; a bad cursor is a 400."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        stamp, _, rid = base64.urlsafe_b64decode(padded.encode()).decode().partition("|")
        return datetime.fromisoformat(stamp), uuid.UUID(rid)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidCursor("the cursor is not valid") from exc


def after_cursor(
    at: Any, ident: Any, after_at: Any, after_id: Any, *, newest_first: bool = False
) -> ColumnElement[bool]:
    """The rows after (`after_at`, `after_id`) in a page's (`at`, `ident`) order, oldest first
    unless `newest_first` (the values, or bind parameters for a statement built once)."""
    if newest_first:
        return or_(at < after_at, and_(at == after_at, ident < after_id))
    return or_(at > after_at, and_(at == after_at, ident > after_id))


def cut_page(
    rows: list[R], limit: int, key: Callable[[R], tuple[datetime, uuid.UUID]]
) -> tuple[list[R], str | None]:
    """Rows read with `limit + 1`: the page, and the next page's cursor from its last row's
    `key` (its order's time and id) when there are more."""
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, encode_cursor(*key(rows[-1]))


class Repository(Generic[M]):
    """Queries for one model, confined to `scope.tenant_id` when a scope is given."""

    def __init__(self, session: AsyncSession, model: type[M], scope: TenantScope | None) -> None:
        self.session = session
        self.model = model
        self.scope = scope
        if scope is not None and not hasattr(model, "tenant_id"):
            raise TypeError(f"{model.__name__} is not tenant-owned")

    async def _execute(self, stmt: Executable) -> Result[Any]:
        """Every statement of the repository goes through here."""
        return await self.session.execute(stmt)

    @property
    def _name(self) -> str:
        return getattr(self.model, "__resource_name__", self.model.__name__.lower())

    def select(self) -> Select[M]:
        """A SELECT of the model with the tenant filter applied."""
        stmt = select(self.model)
        if self.scope is not None:
            stmt = stmt.where(self.model.tenant_id == self.scope.tenant_id)  # type: ignore[attr-defined]
        return stmt

    async def get(self, row_id: uuid.UUID, *, for_update: bool = False) -> M:
        """The row with this id in scope, else NotFound (also for another tenant's row)."""
        stmt = self.select().where(self.model.id == row_id)  # type: ignore[attr-defined]
        if for_update:
            stmt = stmt.with_for_update()
        row: M | None = (await self._execute(stmt)).scalar_one_or_none()
        if row is None:
            raise NotFound(self._name)
        return row

    async def find(self, *where: ColumnElement[bool], for_update: bool = False) -> M | None:
        """The first row in scope matching `where`, or None."""
        stmt = self.select().where(*where).limit(1)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self._execute(stmt)).scalar_one_or_none()

    async def all(self, *where: ColumnElement[bool], order_by: Sequence[Any] = ()) -> list[M]:
        """Every row in scope matching `where`."""
        stmt = self.select().where(*where)
        if order_by:
            stmt = stmt.order_by(*order_by)
        return list((await self._execute(stmt)).scalars())

    async def count(self, *where: ColumnElement[bool]) -> int:
        """How many rows in scope match `where`."""
        stmt = select(func.count()).select_from(self.select().where(*where).subquery())
        return int((await self._execute(stmt)).scalar_one())

    async def page(
        self,
        *where: ColumnElement[bool],
        cursor: str | None,
        limit: int,
        newest_first: bool = False,
    ) -> tuple[list[M], str | None]:
        """A page ordered by (created_at, id), oldest first unless `newest_first`, and the
        cursor of the next page, if any."""
        created = self.model.created_at  # type: ignore[attr-defined]
        ident = self.model.id  # type: ignore[attr-defined]
        stmt = self.select().where(*where)
        if cursor:
            at, row_id = decode_cursor(cursor)
            stmt = stmt.where(after_cursor(created, ident, at, row_id, newest_first=newest_first))
        order = (created.desc(), ident.desc()) if newest_first else (created, ident)
        stmt = stmt.order_by(*order).limit(limit + 1)
        rows = list((await self._execute(stmt)).scalars())
        return cut_page(rows, limit, lambda row: (row.created_at, row.id))

    async def update(self, *where: ColumnElement[bool], **values: Any) -> int:
        """Bulk-update rows in scope matching `where`; returns how many changed."""
        stmt = update(self.model).where(*where).values(**values)
        if self.scope is not None:
            stmt = stmt.where(self.model.tenant_id == self.scope.tenant_id)  # type: ignore[attr-defined]
        result = await self._execute(stmt.execution_options(synchronize_session=False))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def update_returning(
        self, *where: ColumnElement[bool], returning: Sequence[Any], **values: Any
    ) -> list[tuple[Any, ...]]:
        """Bulk-update rows in scope matching `where`; the `returning` columns of those changed."""
        stmt = update(self.model).where(*where).values(**values)
        if self.scope is not None:
            stmt = stmt.where(self.model.tenant_id == self.scope.tenant_id)  # type: ignore[attr-defined]
        result = await self._execute(
            stmt.returning(*returning).execution_options(synchronize_session=False)
        )
        return [tuple(row) for row in result.all()]

    def add(self, obj: M) -> M:
        """Add a row, stamping it with the scope's tenant."""
        if self.scope is not None:
            obj.tenant_id = self.scope.tenant_id  # type: ignore[attr-defined]
        self.session.add(obj)
        return obj

    async def delete(self, obj: M) -> None:
        """Delete a row that was loaded through this repository."""
        await self.session.delete(obj)
