"""Real Twilio payloads (twilio-oai/examples/) against the SDK, the specs and the sandbox.

For every example of a resource the sandbox emulates:
* it parses through the real SDK's Instance/Page classes (nothing the SDK types is lost);
* it validates against the spec with exactly the relaxations tests/fixtures/contract.py applies
  to the sandbox (and each relaxation is needed by some example);
* the sandbox's answer to the same operation, obtained through the SDK from a running sandbox,
  gives the same attributes with the same Python types (None allowed where the example has null,
  or where tests/contract/scenarios.py says why the sandbox's resource has no value there).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import pytest
from twilio.base.page import Page
from twilio.rest import Client

from callplane.sandbox.server import SandboxServer
from tests.contract.catalogue import (
    EXAMPLES_DIR,
    LEGACY_NEWER_FIELDS,
    NOT_EMULATED,
    RELAXATION_EVIDENCE,
    Example,
    attributes,
    example_files,
    fill_legacy_fields,
    locate,
    offline_client,
    records_of,
    sdk_parse,
    shared_validator,
)
from tests.contract.scenarios import (
    UNSET_IN_SANDBOX,
    operation_kind,
    sandbox_answer,
    unset_in_sandbox,
)
from tests.fixtures.contract import (
    RELAXATIONS,
    ContractRecorder,
    ContractValidator,
    require_oai_file,
)

FILES = example_files()


def _example(file: str) -> Example:
    """The catalogued example, or skip with the recorded reason when it is not emulated."""
    reason = next((r for prefix, r in NOT_EMULATED.items() if file.startswith(prefix)), None)
    if reason is not None:
        pytest.skip(f"not emulated by the sandbox: {reason}")
    found = locate(file)
    if isinstance(found, str):
        pytest.fail(f"{file}: {found}; add it to tests/contract/catalogue.py or NOT_EMULATED")
    return found


def test_examples_are_there() -> None:
    """The examples directory is where the catalogue expects it, with files in it."""
    require_oai_file(EXAMPLES_DIR)
    assert len(FILES) > 100


def test_not_emulated_entries_are_live() -> None:
    """Every NOT_EMULATED entry still names an example (no stale reasons)."""
    for prefix in NOT_EMULATED:
        assert any(f.startswith(prefix) for f in FILES), f"no example starts with {prefix!r}"


@pytest.mark.parametrize("file", FILES)
def test_example_parses_through_sdk(file: str) -> None:
    """The SDK builds its instances from the example without losing a typed value."""
    example = _example(file)
    body = example.body
    page, instances = sdk_parse(offline_client(), example, body)
    records = records_of(example, body)
    assert len(instances) == len(records)
    for raw, instance in zip(records, instances, strict=True):
        attrs = attributes(instance)
        assert attrs, f"{type(instance).__name__} has no attributes"
        for name, value in attrs.items():
            raw_value = raw.get(name)
            # The SDK turns a date it cannot read into None: a typed field must survive.
            if isinstance(raw_value, str) and raw_value and value is None:
                pytest.fail(f"{file}: SDK dropped {name}={raw_value!r}")
            if name.startswith("date_") and raw_value:
                assert isinstance(value, (datetime, date)), f"{file}: {name}={value!r}"
        # The instance knows the resource's identity (not every resource has a `sid`).
        if "sid" in raw:
            assert attrs.get("sid") == raw["sid"]
    if page is not None:
        expected_next = body.get("next_page_uri") or body.get("meta", {}).get("next_page_url")
        assert (page.next_page_url is None) == (expected_next is None)


@pytest.mark.parametrize("file", FILES)
def test_example_matches_spec(file: str) -> None:
    """The real payload validates against the spec with the sandbox's relaxations."""
    example = _example(file)
    body = example.body
    assert fill_legacy_fields(example, body) == []
    errors = shared_validator().errors_for(
        example.product, example.template, example.method, example.status, body
    )
    assert errors == [], f"{file} vs {example.method} {example.template}:\n" + "\n".join(errors)


@pytest.mark.parametrize("relaxation", RELAXATIONS, ids=lambda r: r.name)
def test_relaxation_is_needed(relaxation: Any) -> None:
    """Without each relaxation some real example fails: none is there for comfort."""
    strict = ContractValidator(relaxations=[r for r in RELAXATIONS if r is not relaxation])
    failing: list[str] = []
    for file in FILES:
        found = locate(file)
        if isinstance(found, str):
            continue
        body = found.body
        fill_legacy_fields(found, body)
        if strict.errors_for(found.product, found.template, found.method, found.status, body):
            failing.append(file)
    assert failing, f"no example needs relaxation {relaxation.name!r}"
    # The evidence the relaxation's text cites is among the examples that need it.
    assert RELAXATION_EVIDENCE[relaxation.name] in failing


def test_legacy_newer_fields_are_exact() -> None:
    """LEGACY_NEWER_FIELDS names only fields the 2023 examples lack and the spec has."""
    validator = shared_validator()
    for file in FILES:
        found = locate(file)
        if isinstance(found, str) or not found.legacy:
            continue
        newer = LEGACY_NEWER_FIELDS.get(found.resource.name)
        if not newer:
            continue
        body = found.body
        errors = validator.errors_for(
            found.product, found.template, found.method, found.status, body
        )
        # Unfilled, a legacy example with records fails exactly on the newer fields.
        if records_of(found, body):
            assert all(e.endswith("is a required property") for e in errors), errors
            missing = {e.split("'")[1] for e in errors}
            assert missing == set(newer), f"{file}: {errors}"


# --- the sandbox gives what the real payloads give ------------------------------------------


def _type_names(values: list[Any]) -> str:
    return "/".join(sorted({type(v).__name__ for v in values}))


def shape_mismatches(examples: list[Any], value: Any, where: str, unset_ok: bool) -> list[str]:
    """How `value` (the sandbox's) differs in Python type from the examples' values there."""
    known = [v for v in examples if v is not None]
    if not known:
        return []  # the examples only have null here: None is allowed, no type to compare
    if value is None:
        return [] if unset_ok else [f"{where}: None where the example has {_type_names(known)}"]
    if type(value) not in {type(v) for v in known}:
        return [f"{where}: {type(value).__name__} where the example has {_type_names(known)}"]
    out: list[str] = []
    if isinstance(value, dict):
        # Nested maps (capabilities, links, subresource_uris) differ in keys across Twilio's own
        # examples; the keys both sides have must agree in type.
        for key in sorted(value):
            there = [v[key] for v in known if isinstance(v, dict) and key in v]
            if there:
                out += shape_mismatches(there, value[key], f"{where}.{key}", unset_ok=False)
    elif isinstance(value, list):
        items = [item for v in known for item in v]
        for i, item in enumerate(value):
            if items:
                out += shape_mismatches(items, item, f"{where}[{i}]", unset_ok=False)
    return out


def attribute_mismatches(
    example_records: list[dict[str, Any]], sandbox: dict[str, Any], unset: Mapping[str, str]
) -> list[str]:
    """Attribute-set and per-attribute type differences of one sandbox instance."""
    out: list[str] = []
    names = set().union(*example_records) if example_records else set(sandbox)
    if set(sandbox) != names:
        out.append(f"attributes differ: {sorted(set(sandbox) ^ names)}")
    for name in sorted(names & set(sandbox)):
        values = [record[name] for record in example_records]
        out += shape_mismatches(values, sandbox[name], name, unset_ok=name in unset)
    return out


def envelope_mismatches(example_body: dict[str, Any], page: Page) -> list[str]:
    """How the sandbox's list envelope differs from the real one (the SDK reads it blindly)."""
    payload: dict[str, Any] = page._payload  # the raw page is what is compared
    out: list[str] = []
    missing = set(example_body) - set(payload)
    if missing:
        out.append(f"envelope lacks {sorted(missing)}")
    # A v2010 page must have exactly one key the SDK does not know, or it cannot find records.
    unknown = set(payload) - set(example_body) - Page.META_KEYS
    if unknown:
        out.append(f"envelope has keys real pages do not: {sorted(unknown)}")
    if "meta" in example_body:
        meta_missing = set(example_body["meta"]) - set(payload.get("meta") or {})
        if meta_missing:
            out.append(f"meta lacks {sorted(meta_missing)}")
    return out


@pytest.mark.usefixtures("contract_clean")
@pytest.mark.parametrize("file", FILES)
def test_sandbox_matches_example(file: str, twilio_client: Client) -> None:
    """The sandbox's answer to the example's operation looks the same through the SDK."""
    example = _example(file)
    body = example.body
    fill_legacy_fields(example, body)
    _, example_instances = sdk_parse(offline_client(), example, body)
    example_records = [attributes(i) for i in example_instances]

    page, instances = sandbox_answer(twilio_client, example)
    problems: list[str] = []
    if page is not None:
        problems += envelope_mismatches(body, page)
    if example_records and not instances:
        problems.append("the sandbox answered no record to compare")
    unset = unset_in_sandbox(example)
    for i, instance in enumerate(instances):
        for problem in attribute_mismatches(example_records, attributes(instance), unset):
            problems.append(f"[{i}] {problem}" if len(instances) > 1 else problem)
    assert problems == [], f"sandbox vs {file} ({example.method} {example.template}):\n" + (
        "\n".join(problems)
    )


def test_sandbox_reports_every_answer(
    twilio_client: Client, twilio_contract: ContractRecorder
) -> None:
    """The sandbox hands its answers to the contract recorder, or nothing above is checked."""
    before = len(twilio_contract.exchanges)
    twilio_client.incoming_phone_numbers.list(limit=1)
    twilio_client.trunking.v1.trunks.list(limit=1)
    seen = twilio_contract.exchanges[before:]
    assert [(e.product, e.method, e.status) for e in seen] == [
        ("api", "GET", 200),
        ("trunking", "GET", 200),
    ]
    account = twilio_client.account_sid
    assert seen[0].path == f"/2010-04-01/Accounts/{account}/IncomingPhoneNumbers.json"
    assert seen[1].path == "/v1/Trunks" and seen[1].query.get("PageSize") == "1"


@pytest.mark.parametrize("key", sorted(UNSET_IN_SANDBOX))
def test_unset_in_sandbox_is_needed(
    key: str, twilio_client: Client, sandbox: SandboxServer
) -> None:
    """Each UNSET_IN_SANDBOX entry is filled by some example and left null by the sandbox."""
    resource, _, kind = key.partition(":")
    filled: set[str] = set()
    unset: set[str] = set()
    for file in FILES:
        found = locate(file)
        if isinstance(found, str) or found.resource.name != resource:
            continue
        if kind and operation_kind(found) != kind:
            continue
        body = found.body
        fill_legacy_fields(found, body)
        for instance in sdk_parse(offline_client(), found, body)[1]:
            filled |= {k for k, v in attributes(instance).items() if v is not None}
        sandbox.reset()  # each answer from a fresh sandbox, as in test_sandbox_matches_example
        for instance in sandbox_answer(twilio_client, found)[1]:
            unset |= {k for k, v in attributes(instance).items() if v is None}
    listed = set(UNSET_IN_SANDBOX[key])
    assert listed <= filled, f"no example fills {sorted(listed - filled)}: drop them"
    assert listed <= unset, f"the sandbox always fills {sorted(listed - unset)}: drop them"
