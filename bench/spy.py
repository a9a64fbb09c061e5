"""The py-spy evidence of issue 20: where a request's CPU goes, in process (no server).

    py-spy record -r 200 -f raw -o /tmp/healthz.txt -- python -m bench.spy run console 8
    python -m bench.spy shares /tmp/healthz.txt

`run FORM SECONDS` sends GET /healthz to the app built as `callplane serve` builds it, logging at
INFO in FORM (`console` or `json`) to /dev/null; a tree without callplane's own access line (before
issue 20) gets uvicorn's line written per request instead, as uvicorn wrote it. `shares FILE...`
prints, of the samples in the request loop, the share in routing, in the access line and in
redaction. Run it with PYTHONPATH pointing at another tree's `src` to compare two trees.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from typing import Any


def run(form: str, seconds: float) -> None:
    """Requests in a loop for `seconds`."""
    import callplane.log as callplane_log
    from callplane.app import create_app

    callplane_log.configure_logging("INFO", json=form == "json")
    ours = next(h for h in logging.getLogger().handlers if getattr(h, "_callplane", False))
    ours.setStream(open("/dev/null", "w"))  # noqa: SIM115 - for the life of the process
    app = create_app()
    uvicorn_line = not hasattr(callplane_log, "access_line")
    access = logging.getLogger("uvicorn.access")

    async def call(path: str) -> None:
        sent: list[Any] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: Any) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"x")],
            "client": ("127.0.0.1", 1),
            "server": ("x", 80),
            "state": {},
        }
        await app(scope, receive, send)
        if uvicorn_line:
            status = sent[0]["status"]
            access.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:1", "GET", path, "1.1", status)

    async def loop() -> None:
        end, count = time.monotonic() + seconds, 0
        while time.monotonic() < end:
            await call("/healthz")
            count += 1
        print(f"{count} requests, {seconds * 1e6 / count:.0f} µs each", file=sys.stderr)

    asyncio.run(loop())


def shares(path: str) -> str:
    """Routing, access line and redaction shares of a raw py-spy profile's request loop."""
    rows = []
    with open(path) as handle:
        for line in handle:
            stack, _, count = line.rstrip().rpartition(" ")
            rows.append(([f.split(" (")[0] for f in stack.split(";")], int(count)))
    loop = [(frames, n) for frames, n in rows if "call" in frames]
    base = sum(n for _, n in loop) or 1

    def share(test: Any) -> float:
        return 100 * sum(n for frames, n in loop if test(frames)) / base

    routing = share(
        lambda f: (
            "_IncludedRouter._match" in f
            or ("RouteDispatch.__call__" in f and "APIRoute.handle" not in f)
        )
    )
    line = share(lambda f: "Logger.info" in f or "access_line" in f)
    redaction = share(lambda f: any("redact" in x for x in f))
    return (
        f"{path}: {base} samples in the request loop; routing {routing:.1f}%, "
        f"access line {line:.1f}%, redaction {redaction:.1f}%"
    )


if __name__ == "__main__":
    if sys.argv[1] == "run":
        run(sys.argv[2], float(sys.argv[3]))
    else:
        for name in sys.argv[2:]:
            print(shares(name))
