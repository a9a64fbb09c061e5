"""Schemathesis over the service's own OpenAPI document (`/openapi.json`), in-process.

Every API operation gets a bounded number of generated requests (valid and invalid), each sent
with a platform key and with a tenant's admin key (and once without a key: it must be 401).
Nothing answers 500, and every answer matches the document: its status code is documented for
the operation, and its body matches the documented schema (errors included: `ErrorOut`).
Tenant paths mostly name a real tenant (seeded through the API), so requests get past the
tenant lookup into the services; the sandbox answers Twilio's side.

Then, on both databases, every string of generated valid requests (path and query parameters,
every string in the JSON body, the keys of its maps) is replaced in turn by text with a NUL
character and by text that is not Latin-1: nothing answers 500, every answer matches the
document, and a NUL is never accepted (422 `nul_character` when the request gets that far).
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode, checks

from callplane.app import create_app
from callplane.sandbox.server import SandboxServer
from callplane.settings import Settings
from tests.fixtures.inprocess import (
    World,
    any_db_world,  # noqa: F401  (a fixture)
    start_world,
)

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore")]

MAX_EXAMPLES = 25  # per operation and mode (x3 requests each): well under a minute in all
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
    checks.negative_data_rejection,
]


WORLD: World | None = None
SEEN: dict[str, set[int]] = {}  # operation -> status codes answered


@pytest.fixture(scope="module")
def openapi_schema(sandbox_server: SandboxServer, tmp_path_factory: pytest.TempPathFactory) -> Any:
    global WORLD
    WORLD = start_world(sandbox_server, tmp_path_factory, "openapi")
    schema = schemathesis.openapi.from_asgi("/openapi.json", WORLD.app)
    # The document declares bearer auth; each case is sent with the keys chosen here (and once
    # without one), so schemathesis must not generate (or "break") the Authorization header.
    schema.config.generation.update(with_security_parameters=False)
    return schema


def _labels() -> list[str]:
    """Every operation of the document (read from an app that is never started)."""
    spec = create_app(Settings(database_url="sqlite+aiosqlite:///:memory:")).openapi()
    return [f"{m.upper()} {p}" for p, item in spec["paths"].items() for m in item]


def _aim(case: Any, world: World) -> None:
    """Valid requests mostly name what exists (the seeded tenant, agent and number, a country
    Twilio sells numbers in): an unknown id is a 404 before anything else happens."""
    params = case.path_parameters or {}
    salt = uuid.uuid5(
        uuid.NAMESPACE_URL, repr((case.method, case.path, sorted(params.items(), key=str)))
    ).int
    if salt % 4 == 0:
        return  # a quarter keep what was generated
    if "tid" in params and not (case.method == "DELETE" and case.path == "/v1/tenants/{tid}"):
        params["tid"] = world.tenant_id
    if "aid" in params:
        params["aid"] = world.agent_id
    if "nid" in params:
        params["nid"] = world.number_id
    if "country" in params:
        params["country"] = "US"
    if "type" in params:
        params["type"] = "local"
    if isinstance(case.query, dict) and "country" in case.query:
        case.query["country"] = "US"
        if "type" in case.query:
            case.query["type"] = "local"


def _exercise(case: Any, mode: GenerationMode) -> None:
    world = WORLD
    assert world is not None
    if mode is GenerationMode.POSITIVE:  # negative cases must stay invalid
        _aim(case, world)
    for key in (world.platform_key, world.tenant_key):
        response = case.call_and_validate(headers={"Authorization": f"Bearer {key}"}, checks=CHECKS)
        SEEN.setdefault(f"{case.method} {case.path}", set()).add(response.status_code)
    # No key at all: 401 (the Stripe webhook is signed instead: 400, or 404 when disabled);
    # a body the middleware refuses first is 413, a malformed one may be 400/422 first.
    response = case.call()
    assert response.status_code in (400, 401, 404, 413, 422), (
        case.method,
        case.path,
        response.status_code,
        response.text[:300],
    )


def _sweep(
    operation: Any,
    mode: GenerationMode,
    exercise: Callable[[Any], None] | None = None,
    max_examples: int = MAX_EXAMPLES,
) -> None:
    """`exercise` (default: `_exercise` in `mode`) on generated cases of one operation."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=max_examples,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
        phases=(Phase.explicit, Phase.generate),
    )
    def run(case: Any) -> None:
        if exercise is None:
            _exercise(case, mode)
        else:
            exercise(case)

    run()


@pytest.mark.parametrize("label", _labels())
def test_api_conforms_to_its_openapi(openapi_schema: Any, label: str) -> None:
    operation = openapi_schema.find_operation_by_label(label)
    assert operation is not None, label
    failures = []
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        try:
            _sweep(operation, mode)
        except Unsatisfiable:
            if mode is GenerationMode.POSITIVE:
                raise
            # Nothing in this operation can be made invalid (no parameters, free strings).
        except Exception as exc:  # noqa: BLE001 - both modes report, then the test fails
            failures.append(f"{mode.value}: {exc}")
    assert not failures, "\n\n".join(failures)


def test_most_operations_got_past_validation() -> None:
    """The generated requests reach the services: most operations answered a success."""
    if len(SEEN) < len(_labels()):
        pytest.skip("runs after the whole schemathesis sweep only")
    succeeded = sorted(op for op, codes in SEEN.items() if any(200 <= c < 300 for c in codes))
    print(f"{len(succeeded)} of {len(SEEN)} operations answered 2xx: " + ", ".join(succeeded))
    assert len(succeeded) >= len(SEEN) // 2, SEEN


# -- NUL and text that is not Latin-1, in every string -------------------------------------

NUL_TEXT = "nul\x00here"
WIDE_TEXT = "Zoë € ✓ 漢 😀"
SPOT_CASES = 5  # generated valid requests per operation and database
SPOT_CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]
SCHEMAS: dict[int, Any] = {}
SPOTS: dict[str, int] = {}  # database -> requests sent


Spot = tuple[str, tuple[Any, ...]]  # (where: path|query|body|key, the path to the string)


def _strings(value: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Paths to every string of a JSON-like value; a map key is ("<key>", key) at its end."""
    if isinstance(value, str):
        yield at
    elif isinstance(value, dict):
        for key, item in value.items():
            yield (*at, ("<key>", key))
            yield from _strings(item, (*at, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, (*at, i))


def _replaced(value: Any, at: tuple[Any, ...], text: str) -> Any:
    """A copy of `value` with the string at `at` (or the key) replaced by `text`."""
    if not at:
        return text
    out = copy.deepcopy(value)
    parent = out
    for step in at[:-1]:
        parent = parent[step]
    last = at[-1]
    if isinstance(last, tuple) and last[:1] == ("<key>",):
        parent[text] = parent.pop(last[1])
    else:
        parent[last] = text
    return out


def _spots(case: Any) -> Iterator[Spot]:
    for name, value in (case.path_parameters or {}).items():
        if isinstance(value, str):
            yield "path", (name,)
    for name, value in (case.query or {}).items():
        if isinstance(value, str):
            yield "query", (name,)
    for at in _strings(case.body):
        yield "body", at


def _send_spoiled(case: Any, world: World, where: str, at: tuple[Any, ...], text: str) -> Any:
    saved = (case.path_parameters, case.query, case.body)
    try:
        if where == "path":
            case.path_parameters = {**case.path_parameters, at[0]: text}
        elif where == "query":
            case.query = {**case.query, at[0]: text}
        else:
            case.body = _replaced(case.body, at, text)
        headers = {"Authorization": f"Bearer {world.platform_key}"}
        response = case.call(headers=headers)
        case.validate_response(response, checks=SPOT_CHECKS, headers=headers)
        return response
    finally:
        case.path_parameters, case.query, case.body = saved


@pytest.mark.parametrize("label", _labels())
def test_nul_and_non_latin1_in_every_string_on_both_databases(
    any_db_world: World,  # noqa: F811  (the fixture imported above)
    label: str,
) -> None:
    world = any_db_world
    key = id(world)
    if key not in SCHEMAS:
        SCHEMAS[key] = schemathesis.openapi.from_asgi("/openapi.json", world.app)
    operation = SCHEMAS[key].find_operation_by_label(label)
    assert operation is not None, label
    database = world.settings.database_url.split(":", 1)[0]

    def spoil(case: Any) -> None:
        _aim(case, world)
        for where, at in _spots(case):
            for text in (NUL_TEXT, WIDE_TEXT):
                response = _send_spoiled(case, world, where, at, text)
                SPOTS[database] = SPOTS.get(database, 0) + 1
                if text is NUL_TEXT:
                    status = response.status_code
                    assert not 200 <= status < 300, (label, where, at, status, response.text[:200])
                    if status == 422:
                        code = response.json()["error"]["code"]
                        assert code == "nul_character", (label, where, at, response.text[:300])

    _sweep(operation, GenerationMode.POSITIVE, spoil, SPOT_CASES)


def test_every_string_was_spoiled_on_both_databases() -> None:
    """The sweep above reached both databases (a summary of what it sent)."""
    if len(SPOTS) < 2:
        pytest.skip("runs after the whole sweep only")
    print("NUL / non-Latin-1 requests: " + ", ".join(f"{k} {v}" for k, v in sorted(SPOTS.items())))
    assert all(count > 100 for count in SPOTS.values()), SPOTS
