"""Hold emulator answers to the providers' SDK models, strictly.

The SDKs parse answers leniently (Stainless' and Fern's `construct` accept a missing required
field, and their models allow unknown keys), so an emulator drifting from the real API would go
unnoticed through them. `assert_conforms` validates the raw JSON an emulator sent against the
SDK's model with pydantic's validation, and also refuses keys the model does not declare.
`Recorder` gives an httpx client that keeps every answer for that check.
"""

from __future__ import annotations

import functools
import inspect
import json
import types
import typing
from typing import Annotated, Any, Union

import httpx
import pydantic


@functools.cache
def _adapter(annotation: Any) -> pydantic.TypeAdapter[Any]:
    return pydantic.TypeAdapter(annotation)


def _validates(annotation: Any, value: Any) -> bool:
    try:
        _adapter(annotation).validate_python(value)
    except pydantic.ValidationError:
        return False
    return True


def unknown_keys(annotation: Any, value: Any, path: str = "$") -> list[str]:
    """Keys of `value` (recursively) that the model `annotation` does not declare."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is Annotated:
        return unknown_keys(args[0], value, path)
    if origin in (Union, types.UnionType):
        fits = [
            unknown_keys(a, value, path)
            for a in args
            if a is not type(None) and _validates(a, value)
        ]
        return min(fits, key=len) if fits else []
    if origin in (list, typing.List) and isinstance(value, list):  # noqa: UP006
        return [k for i, v in enumerate(value) for k in unknown_keys(args[0], v, f"{path}[{i}]")]
    if origin in (dict, typing.Dict) and isinstance(value, dict) and len(args) == 2:  # noqa: UP006
        return [k for key, v in value.items() for k in unknown_keys(args[1], v, f"{path}.{key}")]
    if inspect.isclass(annotation) and issubclass(annotation, pydantic.BaseModel):
        if not isinstance(value, dict):
            return []
        fields = {(f.alias or name): f for name, f in annotation.model_fields.items()}
        found = [f"{path}.{key}" for key in value if key not in fields]
        for key, v in value.items():
            if key in fields:
                found += unknown_keys(fields[key].annotation, v, f"{path}.{key}")
        return found
    return []


def assert_conforms(annotation: Any, payload: Any) -> Any:
    """Validate `payload` (raw JSON) against an SDK model: every required field, right types,
    no undeclared key. Answers the validated value."""
    try:
        value = _adapter(annotation).validate_python(payload)
    except pydantic.ValidationError as exc:
        raise AssertionError(f"answer does not fit {annotation}: {exc}\n{payload!r}") from None
    extra = unknown_keys(annotation, payload)
    assert not extra, f"keys {annotation} does not declare: {extra}\n{payload!r}"
    return value


class Recorder:
    """httpx clients whose every answer is kept (method, path, status, JSON body)."""

    def __init__(self) -> None:
        self.answers: list[tuple[str, str, int, Any]] = []

    def _hook(self, response: httpx.Response) -> None:
        response.read()
        body = json.loads(response.content) if response.content.strip() else None
        self.answers.append(
            (response.request.method, response.request.url.path, response.status_code, body)
        )

    def client(self) -> httpx.Client:
        """A sync client recording every answer."""
        return httpx.Client(timeout=30, event_hooks={"response": [self._hook]})

    def last(self) -> Any:
        """The JSON body of the last answer."""
        assert self.answers, "no answer recorded"
        return self.answers[-1][3]
