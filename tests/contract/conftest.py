"""Fixtures of the contract tests (the recorder itself is tests/fixtures/contract.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fixtures.contract import ContractRecorder


@pytest.fixture
def contract_clean(twilio_contract: ContractRecorder) -> Iterator[ContractRecorder]:
    """Fail this test (at teardown) if a sandbox answer during it broke the contract.

    The session fails on any violation anyway; this pins each one on the test that caused it.
    """
    before = len(twilio_contract.violations)
    yield twilio_contract
    new = twilio_contract.violations[before:]
    if new:
        pytest.fail(
            "sandbox answers broke the Twilio contract:\n" + "\n".join(v.render() for v in new),
            pytrace=False,
        )
