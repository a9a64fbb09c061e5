"""The benchmark's pieces (`python -m bench`, docs/benchmarks.md), run cheaply: the seeded world
answers signed webhooks and the API as the figures assume, the naive handlers answer a signed
webhook correctly and refuse a forged one, wrk's Lua scripts send what they should, the open-loop
generator and the import runner work. Nothing here is timed."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Self
from urllib.parse import parse_qsl

import httpx
import pytest
from asgi_lifespan import LifespanManager
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from twilio.request_validator import RequestValidator

from bench import seeding
from bench.common import Process, free_port, other_services, warn_of_others
from bench.importing import bulk_form, run_import
from bench.load import ApiCall, Target, fixed_rate, run_wrk
from callplane.app import create_app
from callplane.db.migrate import upgrade
from callplane.sandbox.server import SandboxServer
from callplane.settings import Settings
from tests.fixtures.api import Api
from tests.fixtures.logscan import register_key_spec, register_secret

NUMBERS = 500  # five tenants; the fifth (numbers 400-499) on its own byo account
BYO_NUMBER = 450

register_secret(seeding.PLATFORM_TOKEN, "bench platform token")
register_secret(seeding.tenant_account(4)[2], "bench byo token")
register_key_spec(seeding.ENCRYPTION_KEYS)


def _line(i: int) -> tuple[str, str]:
    """The signed webhook (signature, body) of the i-th number."""
    token = seeding.tenant_account(i // seeding.NUMBERS_PER_TENANT)[2]
    form = seeding.webhook_form(i)
    sig = RequestValidator(token).compute_signature(seeding.PUBLIC_BASE + seeding.VOICE_PATH, form)
    return sig, httpx.QueryParams(form).__str__()


def _headers(sig: str, token: str = "tok-1") -> dict[str, str]:
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": sig,
        "I-Twilio-Idempotency-Token": token,
    }


@pytest.fixture(params=["sqlite", "postgres"])
def bench_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, migrated database of each kind (PostgreSQL: as the service's ordinary role)."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'bench.db'}"
    else:
        url = request.getfixturevalue("empty_pg")
    upgrade(url)
    return url


async def test_seeded_service_answers_signed_webhooks_and_the_api(bench_db: str) -> None:
    seeded = await seeding.seed_callplane(bench_db, NUMBERS)
    register_secret(seeded.api_key, "bench tenant key")
    env = seeding.service_env(bench_db)
    settings = Settings(
        **{k.removeprefix("CALLPLANE_").lower(): v for k, v in env.items()}, jobs_enabled=False
    )
    app = create_app(settings)
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            for i, tenant in ((7, 0), (BYO_NUMBER, 4)):  # platform account, then byo
                sig, body = _line(i)
                r = await http.post(
                    seeding.VOICE_PATH, content=body, headers=_headers(sig, f"t{i}")
                )
                assert r.status_code == 200, r.text
                assert "<Stream" in r.text and seeding.STREAM_URL.split("?")[0] in r.text
                assert str(seeding.tenant_id_of(tenant)) in r.text
            forged_sig, body = _line(8)
            r = await http.post(
                seeding.VOICE_PATH,
                content=body,
                headers=_headers(forged_sig[:-2] + "AA", "t-forged"),
            )
            assert r.status_code == 403
            auth = {"Authorization": f"Bearer {seeded.api_key}"}
            r = await http.get(f"/v1/tenants/{seeded.tenant_id}", headers=auth)
            assert r.status_code == 200 and r.json()["id"] == seeded.tenant_id
            r = await http.get(
                f"/v1/tenants/{seeded.tenant_id}/phone-numbers", params={"limit": 100}, headers=auth
            )
            assert r.status_code == 200
            page = r.json()["data"]
            assert len(page) == 100 and all(n["status"] == "active" for n in page)
            assert {n["phone_number"] for n in page} == {seeding.e164_of(i) for i in range(100)}
            r = await http.patch(
                f"/v1/tenants/{seeded.tenant_id}/agents/{seeded.agent_id}",
                json={"name": "Front desk"},
                headers=auth,
            )
            assert r.status_code == 200


def test_signed_lines_cover_every_number_once_with_valid_signatures() -> None:
    lines = seeding.signed_lines(NUMBERS)
    seen = []
    for line in lines:
        sig, body = line.split("\t", 1)
        form = dict(parse_qsl(body))
        i = next(i for i in range(NUMBERS) if seeding.e164_of(i) == form["To"])
        token = seeding.tenant_account(i // seeding.NUMBERS_PER_TENANT)[2]
        url = seeding.PUBLIC_BASE + seeding.VOICE_PATH
        assert RequestValidator(token).validate(url, form, sig)
        assert form["AccountSid"] == seeding.tenant_account(i // seeding.NUMBERS_PER_TENANT)[1]
        seen.append(i)
    assert sorted(seen) == list(range(NUMBERS))
    assert seen != sorted(seen)  # shuffled: consecutive calls go to different tenants


# -- the naive handlers ---------------------------------------------------------------------------


def _naive_url(bench_db: str) -> str:
    return bench_db.replace("sqlite+aiosqlite:", "sqlite:")


@pytest.fixture
def naive_env(bench_db: str, monkeypatch: pytest.MonkeyPatch) -> str:
    url = _naive_url(bench_db)
    seeding.seed_naive(url, NUMBERS)
    monkeypatch.setenv("NAIVE_DATABASE_URL", url)
    monkeypatch.setenv("NAIVE_PUBLIC_BASE_URL", seeding.PUBLIC_BASE)
    return url


def _events(url: str) -> int:
    from sqlalchemy import func, select

    from bench.naive import db

    engine = db.sync_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(db.CallEvent)).scalar_one())
    finally:
        engine.dispose()


async def _check_answers(post: Any) -> None:
    """`await post(body, headers) -> (status, text)`: signed calls answered, a forgery refused,
    an unknown number told it is not in service."""
    for i, tenant in ((3, 0), (BYO_NUMBER, 4)):
        sig, body = _line(i)
        status, text = await post(body, _headers(sig))
        assert status == 200, text
        assert "<Connect><Stream" in text and seeding.e164_of(i) in text
        assert str(seeding.tenant_id_of(tenant)) in text
    sig, body = _line(5)
    status, _ = await post(body, _headers(sig[:-2] + "AA"))
    assert status == 403
    form = seeding.webhook_form(5) | {"To": "+14155550100", "Called": "+14155550100"}
    sig = RequestValidator(seeding.PLATFORM_TOKEN).compute_signature(
        seeding.PUBLIC_BASE + seeding.VOICE_PATH, form
    )
    status, text = await post(str(httpx.QueryParams(form)), _headers(sig))
    assert status == 200 and "not in service" in text


@pytest.mark.parametrize("factory", ["sync_app", "async_app", "record_app"])
async def test_naive_fastapi_handlers_answer_signed_webhooks(naive_env: str, factory: str) -> None:
    from bench.naive import fastapi_app

    app = getattr(fastapi_app, factory)()
    before = _events(naive_env)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://naive") as http:

        async def post(body: str, headers: dict[str, str]) -> tuple[int, str]:
            r = await http.post(seeding.VOICE_PATH, content=body, headers=headers)
            return r.status_code, r.text

        await _check_answers(post)
    assert _events(naive_env) - before == (2 if factory == "record_app" else 0)


async def test_naive_flask_handler_answers_signed_webhooks(naive_env: str) -> None:
    from bench.naive.flask_app import create_app as flask_app

    client = flask_app().test_client()

    async def post(body: str, headers: dict[str, str]) -> tuple[int, str]:
        r = client.post(seeding.VOICE_PATH, data=body, headers=headers)
        return r.status_code, r.get_data(as_text=True)

    await _check_answers(post)


# -- load generators ------------------------------------------------------------------------------


class Recorder:
    """An HTTP server in a thread that checks each webhook's signature and keeps what it got."""

    def __init__(self, count: int) -> None:
        import uvicorn

        self.tokens = {
            seeding.e164_of(i): seeding.tenant_account(i // 100)[2] for i in range(count)
        }
        self.webhooks: list[tuple[str, str, bool]] = []  # (To, idempotency token, valid)
        self.gets: list[str | None] = []  # Authorization headers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"

        async def hook(request: Request) -> PlainTextResponse:
            form = {k: str(v) for k, v in (await request.form()).items()}
            valid = RequestValidator(self.tokens[form["To"]]).validate(
                seeding.PUBLIC_BASE + request.url.path,
                form,
                request.headers.get("x-twilio-signature", ""),
            )
            self.webhooks.append(
                (form["To"], request.headers.get("i-twilio-idempotency-token", ""), valid)
            )
            return PlainTextResponse("ok", status_code=200 if valid else 403)

        async def get(request: Request) -> PlainTextResponse:
            self.gets.append(request.headers.get("authorization"))
            return PlainTextResponse("ok")

        app = Starlette(
            routes=[
                Route(seeding.VOICE_PATH, hook, methods=["POST"]),
                Route("/v1/thing", get, methods=["GET", "PATCH"]),
            ]
        )
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_config=None, access_log=False, lifespan="off"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Self:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline, "the recorder did not start"
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def wrk() -> None:
    import os
    import shutil

    if shutil.which("wrk") is None:
        message = "the benchmark's load generator needs wrk (apt-get install wrk)"
        if os.environ.get("CALLPLANE_TEST_REQUIRE_ALL"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    with Recorder(300) as rec:
        yield rec


def test_wrk_scripts_send_signed_webhooks_in_turn_and_the_key(
    wrk: None, recorder: Recorder, tmp_path: Path
) -> None:
    lines = seeding.write_lines(tmp_path / "lines.txt", 300)
    in_order = [dict(parse_qsl(x.split("\t", 1)[1]))["To"] for x in lines]
    target = Target("hook", recorder.url, seeding.VOICE_PATH, 0, tmp_path / "lines.txt", offset=290)
    first = run_wrk(target, 1, 2)
    assert first.requests > 20 and first.errors == 0
    got = list(recorder.webhooks)
    assert all(valid for _, _, valid in got)
    tokens = [t for _, t, _ in got]
    assert len(set(tokens)) == len(tokens)  # every request its own idempotency token

    def counters(hooks: list[tuple[str, str, bool]]) -> list[int]:
        # Request n (the counter in its token) went to line n-1 mod 300: from the offset on,
        # past the end and around.
        out = []
        for to, token, _ in hooks:
            n = int(token.rsplit("-", 1)[1])
            assert to == in_order[(n - 1) % 300]
            out.append(n)
        return sorted(out)

    # wrk asks the script for one request before it starts and drops it: a run may skip a line.
    assert counters(got)[0] in (291, 292) and counters(got)[-1] > 300
    assert target.offset >= 290 + len(got)
    recorder.webhooks.clear()
    offset = target.offset
    run_wrk(target, 1, 2)  # the next run goes on where this one stopped
    assert counters(recorder.webhooks)[0] in (offset + 1, offset + 2)

    get = Target("get", recorder.url, "/v1/thing", 0, authorization="Bearer cpk_bench-test")
    register_secret("cpk_bench-test", "bench test key")
    sample = run_wrk(get, 1, 2)
    assert sample.requests > 20 and sample.errors == 0
    assert set(recorder.gets) == {"Bearer cpk_bench-test"}


def test_open_loop_generator_keeps_its_rate_with_api_calls_alongside(recorder: Recorder) -> None:
    lines = seeding.signed_lines(300)
    target = Target("hook", recorder.url, seeding.VOICE_PATH, 0, offset=10)
    api = [ApiCall("GET", "/v1/thing"), ApiCall("PATCH", "/v1/thing", {"name": "x"})]
    hooks, calls = fixed_rate(target, lines, 40, 1.0, api, 4, "Bearer cpk_bench-test")
    assert hooks.requests == 40 and hooks.errors == 0
    assert calls.requests == 4 and calls.errors == 0
    assert len(recorder.webhooks) == 40 and all(valid for _, _, valid in recorder.webhooks)
    sent = {to for to, _, _ in recorder.webhooks}
    assert sent == {dict(parse_qsl(x.split("\t", 1)[1]))["To"] for x in lines[10:50]}
    assert recorder.gets == ["Bearer cpk_bench-test"] * 4
    assert target.offset == 50 and hooks.p99_ms > 0


# -- importing ------------------------------------------------------------------------------------


async def test_import_runner_imports_every_number_an_account_holds(
    api: Api, sandbox: SandboxServer
) -> None:
    async with httpx.AsyncClient(base_url=sandbox.url, timeout=60) as control:
        result = await run_import(api.client, control, api.platform_key, 12)
    spec = (await api.client.get("/openapi.json")).json()
    assert result.mode == ("bulk" if bulk_form(spec) else "single")
    assert result.numbers == 12 and result.errors == 0 and result.missing == 0
    assert result.seconds > 0
    if result.mode == "single":
        assert result.requests == 12


def test_every_start_of_a_process_keeps_its_log(tmp_path: Path) -> None:
    """A repetition's service log does not replace the one before: both starts' lines stay,
    each after its own header (the figures of an earlier repetition can be read again)."""
    log = tmp_path / "svc.log"
    for run in ("first", "second"):
        proc = Process("svc", [sys.executable, "-c", f"print('{run} run')"], {}, log)
        proc.proc.wait(timeout=30)
        proc.stop()
    lines = log.read_text().splitlines()
    assert [line.split(" started ")[0] for line in lines[::2]] == ["--- svc", "--- svc"]
    assert lines[1::2] == ["first run", "second run"]


def test_the_benchmark_sees_other_callplane_services_on_the_box() -> None:
    """An idle `callplane serve` left running (a probe's) shares the cores with what is
    measured: the benchmark names it; other callplane commands are not services."""
    sleep = [sys.executable, "-c", "import time; time.sleep(60)"]
    service = subprocess.Popen([*sleep, "/venv/bin/callplane", "serve", "--port", "0"])
    command = subprocess.Popen([*sleep, "/venv/bin/callplane", "migrate"])
    try:
        found = other_services()
        assert service.pid in found
        assert command.pid not in found
        said: list[str] = []
        warn_of_others(said.append)
        assert said and str(service.pid) in said[0]
    finally:
        for proc in (service, command):
            proc.kill()
            proc.wait()
    assert service.pid not in other_services()
