"""The run of `python -m bench`: per database, each repetition starts every process under test
in turn (the order rotated from one repetition to the next), measures its endpoints and stops
it, so that the machine's noise hits all of them alike and ratios are taken within one
repetition."""

from __future__ import annotations

import functools
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import services
from bench.common import DEFAULT_PG, rss_mb, settle
from bench.importing import ImportResult, import_numbers
from bench.load import ApiCall, Sample, Target, fixed_rate, run_wrk
from bench.seeding import VOICE_PATH, Seeded, seed_all, write_lines

# The form a database is deployed in: SQLite is the embedded default (`callplane serve` as it
# comes), PostgreSQL the documented production form (JSON logs, an ordinary role).
DEPLOYED = {"sqlite": "console", "postgres": "json"}
FIXED_FORMS = ("console", "json")  # measured at a fixed rate with API calls alongside


@dataclass
class Config:
    """What to run, how long, how often."""

    dbs: tuple[str, ...] = ("sqlite", "postgres")
    runs: int = 5
    slice_seconds: float = 5.0
    warmup_seconds: float = 2.0
    connections: int = 32
    small: int = 1_000
    large: int = 100_000
    rate: float = 200.0
    fixed_seconds: float = 15.0
    api_rate: float = 5.0
    naive: bool = True
    import_count: int = 5_000
    import_runs: int = 1
    import_mode: str = "auto"
    import_field: str | None = None
    import_concurrency: int = 1
    postgres_url: str = DEFAULT_PG


@dataclass
class DbResult:
    """Everything measured on one database."""

    kind: str
    deployed: str
    runs: list[dict[str, Sample]] = field(default_factory=list)  # per repetition: target -> sample
    fixed: list[dict[str, Sample]] = field(default_factory=list)  # "<form>/webhook|api" -> sample
    imports: list[ImportResult] = field(default_factory=list)
    rss_mb: dict[str, float] = field(default_factory=dict)  # peak resident memory per process
    naive: list[str] = field(default_factory=list)


Log = Callable[[str], None]


@contextmanager
def database(kind: str, label: str, workdir: Path, pg_admin: str) -> Iterator[str]:
    """A new empty database (PostgreSQL: owned by the service's ordinary role), dropped after."""
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{workdir / f'{label}.db'}"
        return
    from tests.fixtures import pgdb

    url, name = pgdb.create_database(pg_admin, f"callplane_bench_{label}")
    try:
        yield url
    finally:
        pgdb.drop_database(pg_admin, name)


def seed_database(url: str, count: int, naive_url: str | None, log: Log) -> Seeded:
    """The database at `url` migrated and seeded with `count` numbers (and the naive handlers'
    table at `naive_url`), its time logged."""
    from callplane.db.migrate import upgrade

    started = time.monotonic()
    upgrade(url)
    seeded = seed_all(url, count, naive_url)
    log(f"  seeded {count:,} numbers in {time.monotonic() - started:.1f} s")
    return seeded


def analyze(urls: list[str]) -> None:
    """What autovacuum does on a PostgreSQL server that runs it (this machine's CI server does
    not): statistics brought up to date, and with them the plans cached on the service's
    connections. Without it a plan made while `events` was empty (the outbox's foreign-key
    check, on the first webhook of a fresh database) scans the whole table for the service's
    life, one more scan per webhook (docs/benchmarks.md, sixth pass)."""
    import psycopg

    for url in urls:
        if url.startswith("postgresql"):
            with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
                conn.execute("ANALYZE")


def api_calls_alongside(seeded: Seeded) -> list[ApiCall]:
    """~What a tenant's app does meanwhile: reads, and one agent change in five calls."""
    t = f"/v1/tenants/{seeded.tenant_id}"
    agent = f"{t}/agents/{seeded.agent_id}"
    reads = [
        ApiCall("GET", t),
        ApiCall("GET", f"{t}/phone-numbers?limit=100"),
        ApiCall("GET", f"{t}/agents"),
        ApiCall("GET", f"{t}/events?limit=50"),
    ]
    return [
        *reads[:2],
        ApiCall("PATCH", agent, {"name": "Front desk"}),
        *reads[2:],
        *reads[:2],
        ApiCall("PATCH", agent, {"name": "Receptionist"}),
        *reads[2:],
    ]


@dataclass
class Unit:
    """A process under test and the endpoints measured on it."""

    key: str
    start: Callable[[], services.Service]
    targets: Callable[[services.Service], list[Target]]


def _units(
    kind: str,
    workdir: Path,
    sandbox_url: str,
    urls: dict[str, str],
    seeded: Seeded,
    small_lines: Path,
    large_lines: Path,
) -> list[Unit]:
    deployed = DEPLOYED[kind]
    auth = f"Bearer {seeded.api_key}"
    tenant = f"/v1/tenants/{seeded.tenant_id}"
    hook = VOICE_PATH

    def callplane_targets(form: str) -> Callable[[services.Service], list[Target]]:
        return lambda svc: [
            Target(f"{form}/webhook", svc.url, hook, svc.pid, small_lines),
            Target(f"{form}/healthz", svc.url, "/healthz", svc.pid),
            Target(f"{form}/tenant", svc.url, tenant, svc.pid, authorization=auth),
            Target(
                f"{form}/numbers",
                svc.url,
                f"{tenant}/phone-numbers?limit=100",
                svc.pid,
                authorization=auth,
            ),
        ]

    units = [
        Unit(
            form,
            functools.partial(
                services.callplane, f"{kind}-{form}", urls["small"], form, workdir, sandbox_url
            ),
            callplane_targets(form),
        )
        for form in services.FORMS
    ]
    units.append(
        Unit(
            "large",
            functools.partial(
                services.callplane,
                f"{kind}-{deployed}-large",
                urls["large"],
                deployed,
                workdir,
                sandbox_url,
            ),
            lambda svc: [Target(f"{deployed}/webhook-large", svc.url, hook, svc.pid, large_lines)],
        )
    )
    units.append(
        Unit(
            "bare",
            functools.partial(services.bare, f"{kind}-bare", workdir),
            lambda svc: [Target("bare/healthz", svc.url, "/healthz", svc.pid)],
        )
    )

    def naive_targets(name: str) -> Callable[[services.Service], list[Target]]:
        return lambda svc: [Target(f"naive/{name}", svc.url, hook, svc.pid, small_lines)]

    if "naive" in urls:
        for name in services.NAIVE:
            units.append(
                Unit(
                    name,
                    functools.partial(
                        services.naive, f"{kind}-naive-{name}", name, urls["naive"], workdir
                    ),
                    naive_targets(name),
                )
            )
    return units


def run_database(kind: str, cfg: Config, workdir: Path, sandbox_url: str, log: Log) -> DbResult:
    """Seed; per repetition start each process in turn (the order rotated), warm it up, measure
    its endpoints, stop it; then the imports. One process at a time: the others' idle pools
    would hold PostgreSQL connections, and their threads the CPU."""
    deployed = DEPLOYED[kind]
    result = DbResult(kind, deployed)
    with ExitStack() as stack:
        open_db = functools.partial(database, kind, workdir=workdir, pg_admin=cfg.postgres_url)
        urls = {
            "small": stack.enter_context(open_db(f"{kind}_small")),
            "large": stack.enter_context(open_db(f"{kind}_large")),
        }
        if cfg.naive:
            urls["naive"] = (
                urls["small"] if kind == "postgres" else f"sqlite:///{workdir / 'naive.db'}"
            )
        log(f"{kind}: seeding")
        seeded = seed_database(urls["small"], cfg.small, urls.get("naive"), log)
        seed_database(urls["large"], cfg.large, None, log)
        small_lines, large_lines = workdir / f"{kind}-small.txt", workdir / f"{kind}-large.txt"
        lines = write_lines(small_lines, cfg.small)
        write_lines(large_lines, cfg.large)
        units = _units(kind, workdir, sandbox_url, urls, seeded, small_lines, large_lines)
        result.naive = [u.key for u in units if u.key in services.NAIVE]
        api = api_calls_alongside(seeded)
        offsets: dict[str, int] = {}  # webhooks go on with the next number across restarts
        for rep in range(cfg.runs):
            shift = rep % len(units)
            samples: dict[str, Sample] = {}
            fixed: dict[str, Sample] = {}
            for unit in units[shift:] + units[:shift]:
                svc = unit.start()
                targets = unit.targets(svc)
                try:
                    settle(svc.pid)
                    for t in targets:
                        t.offset = offsets.get(t.name, 0)
                        run_wrk(t, cfg.warmup_seconds, cfg.connections)  # pools, caches
                    analyze(sorted(set(urls.values())))
                    for t in targets:
                        samples[t.name] = run_wrk(t, cfg.slice_seconds, cfg.connections)
                    if unit.key in FIXED_FORMS:
                        # The closed-loop slices end with 32 requests in flight (a page of 100
                        # numbers each): let the service finish them, or the fixed rate's first
                        # webhooks measure that backlog rather than the webhook.
                        settle(svc.pid)
                        fixed[f"{unit.key}/webhook"], fixed[f"{unit.key}/api"] = fixed_rate(
                            targets[0],
                            lines,
                            cfg.rate,
                            cfg.fixed_seconds,
                            api,
                            cfg.api_rate,
                            f"Bearer {seeded.api_key}",
                        )
                    peak = rss_mb(svc.pid)[1]
                    result.rss_mb[unit.key] = max(result.rss_mb.get(unit.key, 0.0), peak)
                finally:
                    offsets.update({t.name: t.offset for t in targets})
                    svc.process.stop()
            result.runs.append(samples)
            result.fixed.append(fixed)
            log(f"{kind}: repetition {rep + 1}/{cfg.runs}: " + _progress(samples, fixed, deployed))
    if cfg.import_runs and cfg.import_count:
        result.imports = run_imports(kind, cfg, workdir, sandbox_url, log)
    return result


def _progress(samples: dict[str, Sample], fixed: dict[str, Sample], deployed: str) -> str:
    hook = samples[f"{deployed}/webhook"]
    quiet = samples["quiet/webhook"]
    return (
        f"webhook {hook.rps:,.0f} rps ({deployed}), {quiet.rps:,.0f} (quiet); "
        f"healthz {samples[f'{deployed}/healthz'].rps:,.0f}, "
        f"bare {samples['bare/healthz'].rps:,.0f}; "
        f"p99 at {fixed[f'{deployed}/webhook'].rps:.0f} rps "
        f"{fixed[f'{deployed}/webhook'].p99_ms:.1f} ms"
    )


def run_imports(
    kind: str, cfg: Config, workdir: Path, sandbox_url: str, log: Log
) -> list[ImportResult]:
    """`cfg.import_runs` imports of `cfg.import_count` numbers into new tenants, as deployed."""
    platform_key = "cpk_" + secrets.token_urlsafe(32)
    results = []
    with database(kind, f"{kind}_import", workdir, cfg.postgres_url) as url:
        svc = services.callplane(
            f"{kind}-{DEPLOYED[kind]}-import",
            url,
            DEPLOYED[kind],
            workdir,
            sandbox_url,
            {"CALLPLANE_BOOTSTRAP_PLATFORM_KEY": platform_key},
        )
        try:
            for run in range(cfg.import_runs):
                r = import_numbers(
                    svc.url,
                    sandbox_url,
                    platform_key,
                    cfg.import_count,
                    cfg.import_mode,
                    cfg.import_field,
                    cfg.import_concurrency,
                )
                results.append(r)
                log(
                    f"{kind}: import {run + 1}/{cfg.import_runs}: {r.numbers:,} numbers in "
                    f"{r.seconds:.1f} s ({r.per_second:.0f}/s, {r.mode}, {r.requests:,} requests, "
                    f"{r.errors} errors, {r.missing} missing)"
                )
        finally:
            svc.process.stop()
    return results


def run(cfg: Config, workdir: Path, log: Log) -> dict[str, Any]:
    """The whole benchmark: {database kind: DbResult}."""
    results: dict[str, Any] = {}
    sandbox = services.sandbox(workdir)
    try:
        for kind in cfg.dbs:
            results[kind] = run_database(kind, cfg, workdir, sandbox.url, log)
    finally:
        sandbox.process.stop()
    return results
