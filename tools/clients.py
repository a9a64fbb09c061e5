"""Regenerate openapi.json and both clients from it: `make clients` (or `python tools/clients.py`).

- openapi.json: `python -m callplane.openapi`.
- clients/python/callplane_client: openapi-python-client (pinned in the dev dependencies) with
  clients/python/generator.yaml; the hand-written modules listed in `PYTHON_HANDWRITTEN` are kept.
- clients/typescript/src/schema.ts: openapi-typescript (pinned by the client's package-lock.json,
  installed by `make test`/`make clients` with `npm ci`).

`python tools/clients.py --check` regenerates into a temporary folder and fails when a committed
file differs byte for byte (tests/e2e/test_clients.py runs the same check).
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OPENAPI = ROOT / "openapi.json"
PY_CLIENT = ROOT / "clients" / "python"
PY_PACKAGE = PY_CLIENT / "callplane_client"
PY_CONFIG = PY_CLIENT / "generator.yaml"
TS_CLIENT = ROOT / "clients" / "typescript"
TS_SCHEMA = TS_CLIENT / "src" / "schema.ts"
# Modules of the Python package written by hand (the generator owns everything else there).
PYTHON_HANDWRITTEN = frozenset({"webhooks.py", "results.py", "py.typed"})
BIN = Path(sys.executable).parent


def render_openapi() -> str:
    """The OpenAPI document as committed."""
    from callplane.openapi.__main__ import render

    return render()


def generate_python(spec: Path, out: Path) -> None:
    """The generated part of the Python package, into `out` (which must not exist)."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(
        [
            str(BIN / "openapi-python-client"),
            "generate",
            "--path",
            str(spec),
            "--meta",
            "none",
            "--config",
            str(PY_CONFIG),
            "--output-path",
            str(out),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    if done.returncode != 0 or "Warning" in done.stdout + done.stderr:
        raise RuntimeError(f"openapi-python-client failed:\n{done.stdout}\n{done.stderr}")


def generate_typescript(spec: Path, out: Path) -> None:
    """The TypeScript types of the document, into the file `out`."""
    tool = TS_CLIENT / "node_modules" / ".bin" / "openapi-typescript"
    if not tool.exists():
        raise RuntimeError(
            f"{tool} is missing: install the pinned tools with "
            "`npm ci --prefix clients/typescript` (make test and make clients run it)"
        )
    done = subprocess.run(
        # Fields with a default are optional in requests (FastAPI marks them required in answers).
        [str(tool), str(spec), "--default-non-nullable", "false", "-o", str(out)],
        cwd=TS_CLIENT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    if done.returncode != 0:
        raise RuntimeError(f"openapi-typescript failed:\n{done.stdout}\n{done.stderr}")


def _generated_files(package: Path) -> dict[str, Path]:
    return {
        str(p.relative_to(package)): p
        for p in sorted(package.rglob("*"))
        if p.is_file()
        and "__pycache__" not in p.parts
        and str(p.relative_to(package)) not in PYTHON_HANDWRITTEN
    }


def stale(work: Path) -> list[str]:
    """What differs between the committed files and a regeneration into `work`."""
    problems: list[str] = []
    spec = work / "openapi.json"
    spec.write_text(render_openapi(), encoding="utf-8")
    if not OPENAPI.exists() or OPENAPI.read_bytes() != spec.read_bytes():
        problems.append("openapi.json")
    # The clients are compared as generated from the committed document's regeneration.
    generate_python(spec, work / "python")
    fresh, committed = _generated_files(work / "python"), _generated_files(PY_PACKAGE)
    for name in sorted(fresh.keys() | committed.keys()):
        if (
            name not in fresh
            or name not in committed
            or not filecmp.cmp(fresh[name], committed[name], shallow=False)
        ):
            problems.append(f"clients/python/callplane_client/{name}")
    generate_typescript(spec, work / "schema.ts")
    if not TS_SCHEMA.exists() or TS_SCHEMA.read_bytes() != (work / "schema.ts").read_bytes():
        problems.append("clients/typescript/src/schema.ts")
    return problems


def regenerate() -> None:
    """Write openapi.json and both clients in the repository."""
    OPENAPI.write_text(render_openapi(), encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        generate_python(OPENAPI, Path(tmp) / "python")
        kept = {name: (PY_PACKAGE / name).read_bytes() for name in PYTHON_HANDWRITTEN}
        shutil.rmtree(PY_PACKAGE, ignore_errors=True)
        shutil.copytree(Path(tmp) / "python", PY_PACKAGE)
        for name, data in kept.items():
            (PY_PACKAGE / name).write_bytes(data)
    generate_typescript(OPENAPI, TS_SCHEMA)


def main() -> int:
    """`--check`: report stale files; otherwise regenerate them."""
    parser = argparse.ArgumentParser(prog="tools/clients.py")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            problems = stale(Path(tmp))
        for name in problems:
            print(f"stale: {name} (run `make clients`)", file=sys.stderr)
        return 1 if problems else 0
    regenerate()
    print("wrote openapi.json, clients/python/callplane_client, clients/typescript/src/schema.ts")
    return 0


if __name__ == "__main__":
    sys.exit(main())
