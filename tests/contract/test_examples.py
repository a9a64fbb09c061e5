"""Real Twilio payloads (twilio-oai/examples/) against the SDK, the specs and the sandbox.

For every example of a resource the sandbox emulates:
* it parses through the real SDK's Instance/Page classes (nothing the SDK types is lost);
* it validates against the spec with exactly the relaxations tests/fixtures/contract.py applies
  to the sandbox (and each relaxation is needed by some example);
* the sandbox's answer to the same operation, through the SDK, gives the same attributes with
  the same Python types (see test_sandbox_contract.py).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

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
from tests.fixtures.contract import RELAXATIONS, ContractValidator

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
    assert EXAMPLES_DIR.is_dir(), f"missing {EXAMPLES_DIR} (set CALLPLANE_TWILIO_OAI_DIR)"
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
            missing = {e.split("'")[1] for e in errors if "is a required property" in e}
            assert missing == set(newer), f"{file}: {errors}"
