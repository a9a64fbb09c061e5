"""The OpenAPI document clients are generated from (src/callplane/openapi/).

It is valid OpenAPI; every operation has a stable id from the one convention (a route without
a good name is reported, naming it), one feature tag, the bearer scheme unless public, its error
answers with the envelope schema and its stable codes, a request example that fits its schema;
the Idempotency-Key header and pagination are described; the committed openapi.json is current.
"""

from __future__ import annotations

import ast
import json
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from referencing import Registry
from referencing.jsonschema import DRAFT202012

import callplane
from callplane.app import create_app
from callplane.errors import ApiError
from callplane.openapi.__main__ import render
from callplane.openapi.errors import CODES, OPERATION_CODES
from callplane.openapi.examples import REQUEST_EXAMPLES
from callplane.openapi.ids import operation_id, problems
from callplane.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
PUBLIC = {"billing_receive_stripe_event"}


@cache
def _app() -> FastAPI:
    return create_app(Settings(database_url="sqlite+aiosqlite:///:memory:"))


def _spec() -> dict[str, Any]:
    return _app().openapi()


def _operations() -> dict[str, tuple[str, str, dict[str, Any]]]:
    return {
        op["operationId"]: (method.upper(), path, op)
        for path, item in _spec()["paths"].items()
        for method, op in item.items()
    }


def _validator(schema: dict[str, Any]) -> Draft202012Validator:
    """A validator for `schema`, its `#/components/...` references read in the document."""
    registry = Registry().with_resource("urn:spec", DRAFT202012.create_resource(_spec()))
    ref = json.dumps(schema).replace('"#/components/', '"urn:spec#/components/')
    return Draft202012Validator(json.loads(ref), registry=registry)


def test_the_document_is_valid_openapi_and_the_committed_file_is_current() -> None:
    validate(_spec())
    committed = (ROOT / "openapi.json").read_text(encoding="utf-8")
    assert committed == render(), "openapi.json is stale: run `make openapi`"


def test_operation_ids_follow_the_convention_and_are_unique() -> None:
    assert problems(_app().routes) == []
    ops = _operations()
    for op_id, method, path in (
        ("tenants_create", "POST", "/v1/tenants"),
        ("phone_numbers_buy", "POST", "/v1/tenants/{tid}/phone-numbers"),
        ("phone_numbers_release", "DELETE", "/v1/tenants/{tid}/phone-numbers/{nid}"),
        ("agents_create", "POST", "/v1/tenants/{tid}/agents"),
        ("trunk_credentials_rotate", "POST", "/v1/tenants/{tid}/trunk/credentials/rotate"),
        ("messages_send", "POST", "/v1/tenants/{tid}/messages"),
    ):
        assert ops[op_id][:2] == (method, path), op_id
    tags = {t["name"]: t["description"] for t in _spec()["tags"]}
    for op_id, (_, _, op) in ops.items():
        assert len(op["tags"]) == 1 and tags.get(op["tags"][0]), op_id
    assert ops["compliance_put"][2]["tags"] == ["compliance"]


def test_a_route_without_a_good_id_is_named() -> None:
    app = FastAPI(generate_unique_id_function=operation_id)
    numbers = APIRouter(tags=["numbers"])
    agents = APIRouter(tags=["agents"])
    newcomers = APIRouter(tags=["deliveries"])

    @numbers.post("/v1/tenants/{tid}/phone-numbers/{nid}/frob")
    async def frobnicate() -> None:
        """A name that is no verb of the convention."""

    @agents.get("/v1/tenants/{tid}/agents/{aid}")
    async def get_agent() -> None:
        """Fine alone."""

    @agents.get("/v1/tenants/{tid}/agents/{aid}/again")
    async def get_agents() -> None:
        """The same id as get_agent: agents_get."""

    @newcomers.get("/v1/tenants/{tid}/deliveries")
    async def list_deliveries() -> None:
        """A tag the document does not know yet."""

    for router in (numbers, agents, newcomers):
        app.include_router(router)
    found = "\n".join(problems(app.routes))
    assert "POST /v1/tenants/{tid}/phone-numbers/{nid}/frob" in found and "frobnicate" in found
    assert "OVERRIDES[('numbers', 'frobnicate')]" in found
    assert found.count("operation id 'agents_get' is not unique") == 2
    assert "tag 'deliveries' is not in TAGS" in found and "list_deliveries" in found
    assert len(problems(app.routes)) == 4


def test_bearer_auth_on_every_operation_but_the_public_ones() -> None:
    spec = _spec()
    scheme = spec["components"]["securitySchemes"]["bearerAuth"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    public = set()
    for op_id, (_, _, op) in _operations().items():
        if op["security"] == []:
            public.add(op_id)
            assert op["x-callplane-role"] == "public" and "401" not in op["responses"], op_id
        else:
            assert op["security"] == [{"bearerAuth": []}], op_id
            assert (
                "unauthorized" in op["responses"]["401"]["content"]["application/json"]["examples"]
            ), op_id
    assert public == PUBLIC
    roles = {op_id: op["x-callplane-role"] for op_id, (_, _, op) in _operations().items()}
    assert roles["tenants_create"] == "platform" and roles["phone_numbers_buy"] == "admin"
    assert roles["messages_send"] == "member" and roles["routes_explain"] == "platform"
    stripe = _operations()["billing_receive_stripe_event"][2]
    assert any(p["name"] == "Stripe-Signature" and p["required"] for p in stripe["parameters"])
    # Webhooks, probes, metrics and the console are not part of the JSON API's document.
    paths = spec["paths"]
    assert not [p for p in paths if not p.startswith("/v1/")], list(paths)


def test_every_error_answer_has_the_envelope_and_its_codes() -> None:
    envelope = _validator({"$ref": "#/components/schemas/ErrorOut"})
    for op_id, (_, _, op) in _operations().items():
        for status, answer in op["responses"].items():
            if int(status) < 400:
                continue
            content = answer["content"]["application/json"]
            assert content["schema"] == {"$ref": "#/components/schemas/ErrorOut"}, (op_id, status)
            for code, example in content.get("examples", {}).items():
                assert CODES[code][0] == int(status), (op_id, code, status)
                envelope.validate(example["value"])
                assert example["value"]["error"]["code"] == code
    buy = _operations()["phone_numbers_buy"][2]["responses"]
    assert "phone_number_quota_exceeded" in buy["402"]["content"]["application/json"]["examples"]
    conflicts = buy["409"]["content"]["application/json"]["examples"]
    assert {"phone_number_unavailable", "phone_number_owned_elsewhere"} <= set(conflicts)
    refusals = buy["422"]["content"]["application/json"]["examples"]
    assert {"bundle_required", "address_required", "validation_error"} <= set(refusals)
    assert set(OPERATION_CODES) <= set(_operations()), set(OPERATION_CODES) - set(_operations())


def _error_classes() -> dict[str, type[ApiError]]:
    import importlib
    import pkgutil

    for module in pkgutil.walk_packages(callplane.__path__, "callplane."):
        if not any(p in module.name for p in (".sandbox", ".migrations", "__main__")):
            importlib.import_module(module.name)
    found: dict[str, type[ApiError]] = {"ApiError": ApiError}
    stack: list[type[ApiError]] = [ApiError]
    while stack:
        for sub in stack.pop().__subclasses__():
            found[sub.__name__] = sub
            stack.append(sub)
    return found


def _raised_codes() -> tuple[dict[str, set[int | None]], list[str]]:
    """Every error code the JSON API's source raises (the console and webhooks answer their own
    way), with its status where the source says it; and the sites whose code is computed."""
    classes = _error_classes()
    codes: dict[str, set[int | None]] = {}
    computed: list[str] = []
    for cls in classes.values():
        codes.setdefault(cls.code, set()).add(cls.status_code)
    src = Path(callplane.__file__).parent
    for path in sorted(src.rglob("*.py")):
        rel = path.relative_to(src)
        if rel.parts[0] in ("sandbox", "admin", "gateway"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = getattr(func, "id", None) or getattr(func, "attr", None)
            keywords = {k.arg: k.value for k in node.keywords}
            if "code" not in keywords or not (name in classes or name == "fail"):
                continue
            code, status = keywords["code"], keywords.get("status_code")
            if not isinstance(code, ast.Constant):
                computed.append(f"{rel}:{node.lineno}")
                continue
            known = classes[name].status_code if name in classes and status is None else None
            codes.setdefault(code.value, set()).add(known)
    from callplane.twilio.errors import TWILIO_ERRORS

    for status, code, _ in TWILIO_ERRORS.values():
        codes.setdefault(code, set()).add(status)
    return codes, computed


def test_the_catalogue_of_codes_is_the_source_s() -> None:
    raised, computed = _raised_codes()
    missing = sorted(c for c in raised if c not in CODES)
    assert not missing, f"error codes raised but not in openapi/errors.py CODES: {missing}"
    wrong = {
        code: statuses
        for code, statuses in raised.items()
        if any(s is not None and s != CODES[code][0] for s in statuses)
    }
    assert not wrong, f"CODES gives another status than the source: {wrong}"
    # Codes computed at run time: compliance's invalid_<kind> and a failed purchase's (or an
    # import's wiring's) own code.
    assert sorted({site.split(":")[0] for site in computed}) == [
        "numbers/bulk_import.py",
        "numbers/compliance.py",
        "numbers/importing.py",
        "numbers/purchase.py",
        "twilio/errors.py",
    ], computed
    generic = {"bad_request", "invalid_json", "method_not_allowed", "payload_too_large"}
    generic |= {"unsupported_media_type", "rate_limited", "internal_error"}
    generic |= {"invalid_bundle", "invalid_address", "invalid_emergency_address"}
    generic |= {"purchase_not_completed"}
    unused = sorted(set(CODES) - set(raised) - generic)
    assert not unused, f"CODES lists codes nothing raises: {unused}"


def test_every_request_body_has_an_example_that_fits_its_schema() -> None:
    with_body = 0
    for op_id, (_, _, op) in _operations().items():
        body = op.get("requestBody", {}).get("content", {}).get("application/json")
        if body is None:
            continue
        with_body += 1
        assert "example" in body, f"{op_id}: no request example (openapi/examples.py)"
        errors = list(_validator(body["schema"]).iter_errors(body["example"]))
        assert not errors, (op_id, [e.message for e in errors])
    assert with_body >= 15
    assert set(REQUEST_EXAMPLES) <= set(_operations()), set(REQUEST_EXAMPLES) - set(_operations())


def test_idempotency_key_and_pagination_are_described() -> None:
    ops = _operations()
    for op_id in ("phone_numbers_buy", "messages_send", "calls_start"):
        (header,) = [p for p in ops[op_id][2]["parameters"] if p["name"] == "Idempotency-Key"]
        assert header["in"] == "header" and not header["required"] and header["description"]
    paged = 0
    for op_id, (_, _, op) in ops.items():
        params = {p["name"]: p for p in op.get("parameters", []) if p["in"] == "query"}
        if "cursor" not in params:
            continue
        paged += 1
        assert params["cursor"]["description"] and params["limit"]["description"], op_id
        answer = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        listed = _spec()["components"]["schemas"][answer.rsplit("/", 1)[1]]
        assert "`cursor`" in listed["properties"]["next_cursor"]["description"], op_id
    assert paged >= 5
