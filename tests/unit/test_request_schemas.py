"""Every request schema of the API: strict JSON types, and no NUL character anywhere (issue 16)."""

from __future__ import annotations

import importlib
import pkgutil
import typing
import uuid
from datetime import datetime
from typing import Any

import pytest
from pydantic import ValidationError

import callplane
from callplane.schemas import NUL_CHARACTER, StrictModel, nul_paths


def _request_schemas() -> list[type[StrictModel]]:
    for info in pkgutil.walk_packages(callplane.__path__, "callplane."):
        if ".sandbox" not in info.name and ".migrations" not in info.name:
            importlib.import_module(info.name)
    found: list[type[StrictModel]] = []
    todo = list(StrictModel.__subclasses__())
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return sorted(set(found), key=lambda c: f"{c.__module__}.{c.__name__}")


SCHEMAS = _request_schemas()


def _types(annotation: Any) -> set[Any]:
    args = typing.get_args(annotation)
    return {annotation} if not args else set().union(*(_types(a) for a in args))


def test_the_request_schemas_are_found() -> None:
    names = {c.__name__ for c in SCHEMAS}
    assert {"TenantCreate", "PlanPut", "ReconcileRequest", "AgentCreate", "ConnectionPut"} <= names


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda c: c.__name__)
def test_every_request_schema_is_strict(schema: type[StrictModel]) -> None:
    assert schema.model_config.get("strict") is True
    assert schema.model_config.get("extra") == "forbid"
    for name, field in schema.model_fields.items():
        # What JSON carries as a string must say so (JsonUUID, JsonDatetime): a strict UUID or
        # datetime would refuse the string every client sends.
        kinds = _types(field.annotation)
        alias = field.alias or name
        for kind, text in ((uuid.UUID, str(uuid.uuid4())), (datetime, "2026-11-01T00:00:00Z")):
            if kind in kinds:
                assert _errors_at(schema, {alias: text}, alias) == [], name
                assert _errors_at(schema, {alias: 5}, alias) != [], name
        if bool in kinds:
            assert _errors_at(schema, {alias: 0}, alias) != [], name
        if int in kinds:
            assert _errors_at(schema, {alias: False}, alias) != [], name
            assert _errors_at(schema, {alias: "5"}, alias) != [], name
        if str in kinds:
            assert _errors_at(schema, {alias: 5}, alias) != [], name


def _errors_at(schema: type[StrictModel], body: dict[str, Any], field: str) -> list[Any]:
    try:
        schema.model_validate(body)
    except ValidationError as exc:
        return [e for e in exc.errors() if e["loc"] and e["loc"][0] == field]
    return []


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda c: c.__name__)
def test_every_request_schema_refuses_nul(schema: type[StrictModel]) -> None:
    for name in schema.model_fields:
        alias = schema.model_fields[name].alias or name
        with pytest.raises(ValidationError) as caught:
            schema.model_validate({alias: "a\x00b"})
        (error,) = [e for e in caught.value.errors() if e["type"] == NUL_CHARACTER]
        assert error["ctx"]["field"] == alias


def test_nul_paths_finds_keys_values_and_nesting() -> None:
    body = {"a": "ok", "b": {"c\x00": "x", "d": ["y", "z\x00"]}, "e": 1, "f": None}
    assert list(nul_paths(body)) == ["b.c\x00", "b.d.1"]
    assert list(nul_paths({"name": "\\u0000"})) == []  # a backslash and "u0000": text
