"""The verification snippets of docs/events.md, run as a tenant would (Python without callplane,
Node with its own test runner), against real deliveries of `callplane serve --sandbox`."""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from callplane.gateway.event_signature import sign
from callplane.webhooks import verify
from tests.fixtures.clients import EventSink, Served
from tests.fixtures.logscan import register_secret

DOC = Path(__file__).resolve().parents[2] / "docs" / "events.md"


def _snippet(language: str) -> str:
    blocks = re.findall(rf"```{language}\n(.*?)```", DOC.read_text(), flags=re.DOTALL)
    found = [b for b in blocks if "def verify" in b or "function verify" in b]
    assert len(found) == 1, f"docs/events.md needs one {language} verify snippet"
    return found[0]


PY_RUNNER = """
import base64, json, sys
cases = json.load(sys.stdin)
print(json.dumps([verify(base64.b64decode(c["body"]), c["header"], c["secret"]) for c in cases]))
"""

NODE_RUNNER = """
const test = require("node:test");
const assert = require("node:assert");
const { verify } = require("./snippet.js");
const cases = JSON.parse(require("node:fs").readFileSync(process.env.CASES, "utf8"));
for (const [i, c] of cases.entries()) {
  test(`case ${i}: ${c.name}`, () => {
    assert.strictEqual(verify(Buffer.from(c.body, "base64"), c.header, c.secret), c.expected);
  });
}
"""


def _deliveries(served: Served, sink: EventSink) -> tuple[list[dict[str, Any]], str, str]:
    """Two real deliveries: one signed by one secret, one during a rotation (old and new)."""

    def api(method: str, path: str, key: str, **kw: Any) -> Any:
        r = httpx.request(
            method, served.url + path, headers={"Authorization": f"Bearer {key}"}, timeout=30, **kw
        )
        assert r.status_code < 300, r.text
        return r.json()

    platform = served.platform_key
    slug = "snip-" + base64.b32encode(__import__("os").urandom(5)).decode().lower()
    tid = api("POST", "/v1/tenants", platform, json={"slug": slug, "name": "S"})["id"]
    admin = api("POST", f"/v1/tenants/{tid}/api-keys", platform, json={"role": "admin"})["key"]
    register_secret(admin, "callplane API key")
    made = api(
        "POST",
        f"/v1/tenants/{tid}/webhook-endpoints",
        admin,
        json={"url": sink.url, "events": ["*"]},
    )
    old = made["secret"]
    register_secret(old, "webhook secret")
    api("POST", f"/v1/tenants/{tid}/webhook-endpoints/{made['id']}/test", admin)
    (first,) = sink.wait(1)
    new = api("POST", f"/v1/tenants/{tid}/webhook-endpoints/{made['id']}/rotate-secret", admin)[
        "secret"
    ]
    register_secret(new, "webhook secret")
    api("POST", f"/v1/tenants/{tid}/webhook-endpoints/{made['id']}/test", admin)
    second = sink.wait(2)[1]
    assert second.headers["Callplane-Signature"].count("v1=") == 2

    def case(name: str, body: bytes, header: str, secret: str, expected: bool) -> dict[str, Any]:
        return {
            "name": name,
            "body": base64.b64encode(body).decode(),
            "header": header,
            "secret": secret,
            "expected": expected,
        }

    def stamp(header: str) -> int:
        return int(re.search(r"t=(\d+)", header).group(1))  # type: ignore[union-attr]

    h1, h2 = first.headers["Callplane-Signature"], second.headers["Callplane-Signature"]
    cases = [
        case("a delivery, its secret", first.body, h1, old, True),
        case("a delivery, another secret", first.body, h1, new, False),
        case("the body changed", first.body + b" ", h1, old, False),
        case("during rotation, the new secret", second.body, h2, new, True),
        case("during rotation, the old secret", second.body, h2, old, True),
        case("no header", second.body, "", new, False),
        # A captured delivery replayed later: signed right, but 10 minutes old.
        case("replayed late", first.body, sign(old, first.body, stamp(h1) - 600), old, False),
    ]
    for c in cases:  # the package's own verify agrees with the expectations
        got = verify(base64.b64decode(c["body"]), c["header"], c["secret"])
        assert got is c["expected"], c["name"]
    return cases, old, new


def test_python_and_node_snippets_verify_real_deliveries(
    served: Served, event_sink: EventSink, tmp_path: Path
) -> None:
    cases, _, _ = _deliveries(served, event_sink)
    # Python, isolated (-I) and without site-packages (-S): callplane cannot be imported.
    script = tmp_path / "verify_snippet.py"
    script.write_text(_snippet("python") + PY_RUNNER)
    probe = subprocess.run(
        [sys.executable, "-I", "-S", "-c", "import callplane"], capture_output=True, check=False
    )
    assert probe.returncode != 0, "the snippet's interpreter must not see callplane"
    out = subprocess.run(
        [sys.executable, "-I", "-S", str(script)],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    assert json.loads(out.stdout) == [c["expected"] for c in cases], out.stderr
    # Node, with its own test runner.
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: the Node snippet cannot be tested")
    (tmp_path / "snippet.js").write_text(_snippet("js"))
    (tmp_path / "snippet.test.js").write_text(NODE_RUNNER)
    (tmp_path / "cases.json").write_text(json.dumps(cases))
    run = subprocess.run(
        [node, "--test", "snippet.test.js"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env={"CASES": str(tmp_path / "cases.json"), "PATH": "/usr/bin:/bin"},
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"# pass {len(cases)}" in run.stdout, run.stdout
