"""twilio-node's `validateRequest` over signed webhooks, through node's test runner.

The npm `twilio` package is pinned by tests/contract/node/package-lock.json and installed by
`make test` (`npm ci --prefix tests/contract/node`); nothing is downloaded here: without
node_modules the test fails saying how to install it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

import pytest

NODE_DIR = Path(__file__).resolve().parent / "node"
INSTALL = "npm ci --prefix tests/contract/node (or `make test`, which runs it)"


@dataclass(frozen=True)
class SignedRequest:
    """A webhook as its receiver saw it: URL, parsed form, signature, and the signing token."""

    name: str
    token: str
    signature: str
    url: str
    params: dict[str, str]


def validate_with_node(requests: list[SignedRequest], tmp_path: Path) -> None:
    """Fail unless twilio-node's validateRequest accepts every request (and rejects a wrong token)."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: twilio-node's validator cannot run", pytrace=False)
    if not (NODE_DIR / "node_modules" / "twilio" / "package.json").exists():
        pytest.fail(
            f"{NODE_DIR / 'node_modules'} is missing: install the pinned twilio-node with {INSTALL}",
            pytrace=False,
        )
    cases = tmp_path / "signed-requests.json"
    cases.write_text(json.dumps([asdict(r) for r in requests]), encoding="utf-8")
    result = subprocess.run(
        [node, "--test", "--test-reporter=tap", str(NODE_DIR / "validate.test.mjs")],
        check=False,
        cwd=NODE_DIR,
        env={**os.environ, "CALLPLANE_SIGNED_REQUESTS": str(cases)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    out = result.stdout + result.stderr
    passed = re.search(r"^# pass (\d+)$", out, re.MULTILINE)
    assert result.returncode == 0 and passed is not None, f"twilio-node rejected:\n{out}"
    assert int(passed.group(1)) == len(requests), out
