"""The hottest reads on SQLite, on the driver's own connection (the event loop's).

Through SQLAlchemy a keyed read on the loop's connection paid the pool's checkout and return
(with the isolation level set each time), the statement's cache key, the compiled cache's
lookup and the result's metadata: at a fixed 200 webhooks/s with API calls alongside, where
every change by the API empties the route cache, the route reads were a third of the event
loop's busy samples, most of it that machinery (docs/benchmarks.md, fifth pass). Here a Core
statement is compiled once for SQLite (once per padded length of its IN list) and run with the
stdlib driver; values go through the columns' own SQLAlchemy type processors, both ways, so rows
hold what SQLAlchemy's rows hold (UUIDs, datetimes, booleans), with the columns' names as
attributes.

An IN list is padded to the next power of two with its last key repeated (the same rows), so a
statement has a handful of compiled forms, not one per batch size: a fresh process under load
compiled new ones for seconds (~1 ms each), and each was another text for SQLite to prepare.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite

_DIALECT = SQLiteDialect_pysqlite(paramstyle="named")


def _padded(length: int) -> int:
    """The length an IN list of `length` keys is rendered with: the next power of two."""
    return 1 << (length - 1).bit_length() if length > 1 else length


def _impl(type_: Any) -> Any:
    """A column's type as SQLAlchemy runs it on SQLite (a decorator around SQLite's own)."""
    return type_.dialect_impl(_DIALECT)


class _Shape:
    """The rows of a statement: named tuples of the columns' keys, and the columns' result
    processors (the same for every length of its IN lists)."""

    __slots__ = ("results", "row")

    def __init__(self, statement: Any) -> None:
        # A SELECT's columns, or what an INSERT, UPDATE or DELETE returns.
        columns = list(getattr(statement, "selected_columns", None) or statement.exported_columns)
        keys = [c.key for c in columns]
        if len(set(keys)) != len(keys):
            raise ValueError(f"columns with the same name: {keys}")
        self.row = namedtuple("Row", keys)  # type: ignore[misc]
        self.results: list[tuple[int, Callable[[Any], Any]]] = [
            (i, p)
            for i, c in enumerate(columns)
            if (p := _impl(c.type).result_processor(_DIALECT, None)) is not None
        ]

    def rows(self, raw: list[Any]) -> list[Any]:
        make, results = self.row, self.results
        if not results:
            return [make(*r) for r in raw]
        out = []
        for r in raw:
            values = list(r)
            for i, processor in results:
                if values[i] is not None:
                    values[i] = processor(values[i])
            out.append(make(*values))
        return out


class _Form:
    """One compiled text of a statement and its binds' processors."""

    __slots__ = ("binds", "defaults", "expanded", "sql")

    def __init__(self, statement: Any, lengths: Mapping[str, int]) -> None:
        # The caller's parameters are bound to None meanwhile, each IN list to as many
        # stand-ins as it has keys (rendered as one parameter per key).
        unbound: dict[str, Any] = {
            b.key: None
            for b in statement.compile(dialect=_DIALECT).binds.values()
            if b.value is None and b.callable is None
        }
        if statement.is_dml:  # INSERT, UPDATE, DELETE: no IN list of the caller's (no params())
            if lengths:
                raise ValueError("an IN list in a DML statement: select its rows in a subquery")
        else:
            statement = statement.params({**unbound, **{k: [""] * n for k, n in lengths.items()}})
        compiled = statement.compile(dialect=_DIALECT, compile_kwargs={"render_postcompile": True})
        self.sql: str = str(compiled)
        state = compiled._post_compile_expanded_state
        expansion = state.parameter_expansion if state is not None else {}
        # An IN list's parameter -> the parameters its keys are bound to, in order (the
        # caller's lists; a literal list's values are the statement's own).
        self.expanded: dict[str, list[str]] = {name: list(expansion[name]) for name in lengths}
        slot_of = {slot: name for name, slots in expansion.items() for slot in slots}
        values = state.parameters if state is not None else compiled.params
        binds = {b.key: b for b in compiled.binds.values()}
        self.binds: dict[str, Callable[[Any], Any]] = {}
        for name in values:
            bind = binds.get(slot_of.get(name, name))
            processor = _impl(bind.type).bind_processor(_DIALECT) if bind is not None else None
            if processor is not None:
                self.binds[name] = processor
        # Values the statement binds itself (literals turned into parameters).
        given = set(unbound) | {slot for slots in self.expanded.values() for slot in slots}
        self.defaults: dict[str, Any] = {
            k: self._bound(k, v) for k, v in values.items() if v is not None and k not in given
        }

    def _bound(self, name: str, value: Any) -> Any:
        processor = self.binds.get(name)
        return value if processor is None or value is None else processor(value)

    def params(self, given: Mapping[str, Any]) -> dict[str, Any]:
        params = dict(self.defaults)
        for name, value in given.items():
            slots = self.expanded.get(name)
            if slots is None:
                params[name] = self._bound(name, value)
                continue
            if not value:
                continue
            last = len(value) - 1
            for i, slot in enumerate(slots):  # padded: the last key again (the same rows)
                params[slot] = self._bound(slot, value[min(i, last)])
        return params


class LiteStatement:
    """A Core statement run on the stdlib driver, compiled once per padded length of its IN
    lists (its expanding parameters, each given a list of keys): a SELECT, or an INSERT, UPDATE
    or DELETE (without IN lists of the caller's), whose RETURNING columns are its rows."""

    __slots__ = ("_expanding", "_forms", "_shape", "statement")

    def __init__(self, statement: Any) -> None:
        self.statement = statement
        self._expanding: tuple[str, ...] | None = None  # compiled when first run
        self._shape: _Shape | None = None
        self._forms: dict[tuple[int, ...], _Form] = {}

    @property
    def expanding(self) -> tuple[str, ...]:
        """The names of the statement's IN lists."""
        if self._expanding is None:
            binds = self.statement.compile(dialect=_DIALECT).binds.values()
            self._expanding = tuple(
                b.key for b in binds if b.expanding and b.value is None and b.callable is None
            )
        return self._expanding

    def _form(self, params: Mapping[str, Any]) -> _Form:
        lengths = tuple(_padded(len(params[name])) for name in self.expanding)
        form = self._forms.get(lengths)
        if form is None:
            form = self._forms[lengths] = _Form(self.statement, dict(zip(self.expanding, lengths)))
        return form

    def run(self, dbapi: Any, params: Mapping[str, Any]) -> list[Any]:
        """The rows of the statement on a driver connection (outside any transaction, or in
        the one its caller began on it)."""
        form = self._form(params)
        shape = self._shape
        if shape is None:
            shape = self._shape = _Shape(self.statement)
        cursor = dbapi.execute(form.sql, form.params(params))
        try:
            return shape.rows(cursor.fetchall())
        finally:
            cursor.close()

    def run_many(self, dbapi: Any, rows: Sequence[Mapping[str, Any]]) -> None:
        """The statement once per row of parameters (an INSERT's rows), on a driver connection."""
        if not rows:
            return
        form = self._form(rows[0])
        dbapi.executemany(form.sql, [form.params(row) for row in rows])


def execute(conn: Connection, statement: LiteStatement, params: Mapping[str, Any]) -> list[Any]:
    """`statement`'s rows on `conn`, in its transaction: on SQLite on the driver (compiled once),
    elsewhere through SQLAlchemy."""
    if conn.dialect.name == "sqlite":
        return statement.run(conn.connection.dbapi_connection, params)
    return list(conn.execute(statement.statement, params))


def execute_many(conn: Connection, statement: LiteStatement, rows: list[dict[str, Any]]) -> None:
    """`statement` once per row of parameters on `conn` (see `execute`)."""
    if conn.dialect.name == "sqlite":
        statement.run_many(conn.connection.dbapi_connection, rows)
    elif rows:
        conn.execute(statement.statement, rows)
