"""`python -m callplane.openapi [--output openapi.json] [--check]`: write the OpenAPI document.

The document does not depend on settings or a database: the app is built and never started.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def render() -> str:
    """The document as committed: indented JSON with a final newline."""
    from callplane.app import create_app
    from callplane.settings import Settings

    app = create_app(Settings(database_url="sqlite+aiosqlite:///:memory:"))
    spec: dict[str, Any] = app.openapi()
    return json.dumps(spec, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the document, or with --check say whether the written one is current."""
    parser = argparse.ArgumentParser(prog="python -m callplane.openapi")
    parser.add_argument("--output", default="openapi.json", type=Path)
    parser.add_argument("--check", action="store_true", help="fail if the file is stale")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is stale: run `make openapi`", file=sys.stderr)
            return 1
        return 0
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
