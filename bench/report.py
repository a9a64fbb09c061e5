"""The benchmark's figures: issue 20's goals (ratios within one repetition, medians over the
repetitions), every endpoint's throughput, the fixed-rate latencies, the imports; as Markdown for
docs/benchmarks.md and as JSON."""

from __future__ import annotations

import operator
import platform
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from bench.common import median
from bench.harness import Config, DbResult
from bench.load import Sample

Run = dict[str, Sample]
LABELS = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
ENDPOINT_LABELS = {
    "webhook": "voice webhook",
    "healthz": "GET /healthz",
    "tenant": "GET /v1/tenants/{tid}",
    "numbers": "GET a page of 100 numbers",
}


def best_naive(run: Run) -> tuple[str, Sample] | None:
    """The fastest naive handler of a repetition."""
    naive = [(k.removeprefix("naive/"), s) for k, s in run.items() if k.startswith("naive/")]
    return max(naive, key=lambda x: x[1].rps) if naive else None


def _ratio(a: str, b: str) -> Callable[[Run, Run], float | None]:
    def f(run: Run, _fixed: Run) -> float | None:
        return run[a].rps / run[b].rps if a in run and b in run and run[b].rps else None

    return f


def _vs_naive(form: str) -> Callable[[Run, Run], float | None]:
    def f(run: Run, _fixed: Run) -> float | None:
        best = best_naive(run)
        return run[f"{form}/webhook"].rps / best[1].rps if best and best[1].rps else None

    return f


def _p99(key: str, fixed: bool) -> Callable[[Run, Run], float | None]:
    def f(run: Run, fixed_run: Run) -> float | None:
        source = fixed_run if fixed else run
        return source[key].p99_ms if key in source else None

    return f


@dataclass
class Goal:
    """One of issue 20's goals, for a logging form."""

    label: str
    target: str
    value: Callable[[Run, Run], float | None]
    ok: Callable[[float], bool]
    unit: str = ""
    short: str = ""  # its name in the table per logging form (ratios of throughput only)


def goals(form: str) -> list[Goal]:
    """Issue 20's goals with `form` as "as deployed"."""
    ge, lt = operator.ge, operator.lt
    return [
        Goal(
            "voice webhook as deployed / same service with logging off",
            "≥ 0.85",
            _ratio(f"{form}/webhook", "quiet/webhook"),
            lambda v: ge(v, 0.85),
            short="voice webhook / logging off",
        ),
        Goal(
            "/healthz as deployed / bare Starlette endpoint",
            "≥ 0.5",
            _ratio(f"{form}/healthz", "bare/healthz"),
            lambda v: ge(v, 0.5),
            short="/healthz / bare Starlette",
        ),
        Goal(
            "voice webhook as deployed / best naive handler",
            "≥ 3",
            _vs_naive(form),
            lambda v: ge(v, 3),
            short="voice webhook / best naive handler",
        ),
        Goal(
            "p99 of the webhook at a fixed rate, API calls alongside",
            "< 10 ms",
            _p99(f"{form}/webhook", fixed=True),
            lambda v: lt(v, 10),
            " ms",
        ),
        Goal(
            "webhook at the large database, every number in turn / at the small one",
            "≥ 0.9",
            _ratio(f"{form}/webhook-large", f"{form}/webhook"),
            lambda v: ge(v, 0.9),
        ),
        Goal(
            "p99 of the webhook under that load (large database)",
            "< 30 ms",
            _p99(f"{form}/webhook-large", fixed=False),
            lambda v: lt(v, 30),
            " ms",
        ),
        Goal(
            "GET /v1/tenants/{tid} / /healthz, as deployed",
            "≥ 0.4",
            _ratio(f"{form}/tenant", f"{form}/healthz"),
            lambda v: ge(v, 0.4),
            short="GET /v1/tenants/{tid} / /healthz",
        ),
        Goal(
            "a page of 100 numbers / /healthz, as deployed",
            "≥ 0.2",
            _ratio(f"{form}/numbers", f"{form}/healthz"),
            lambda v: ge(v, 0.2),
            short="a page of 100 numbers / /healthz",
        ),
    ]


def _values(res: DbResult, goal: Goal) -> list[float]:
    values = [goal.value(run, fixed) for run, fixed in zip(res.runs, res.fixed, strict=False)]
    return [v for v in values if v is not None]


def _fmt(values: list[float], unit: str = "", ok: Callable[[float], bool] | None = None) -> str:
    if not values:
        return "—"
    digits = 1 if unit else 2
    mid = median(values)
    text = f"**{mid:.{digits}f}{unit}**"
    if ok is not None:
        text += " ✓" if ok(mid) else " ✗"
    if len(values) > 1:
        text += " (" + ", ".join(f"{v:.{digits}f}" for v in values) + ")"
    return text


def _sample_median(samples: list[Sample]) -> Sample:
    return Sample(
        rps=median([s.rps for s in samples]),
        p50_ms=median([s.p50_ms for s in samples]),
        p99_ms=median([s.p99_ms for s in samples]),
        requests=sum(s.requests for s in samples),
        errors=sum(s.errors for s in samples),
        cpu_us=median([s.cpu_us for s in samples]),
    )


def medians(res: DbResult, fixed: bool = False) -> dict[str, Sample]:
    """Per target, the medians of its repetitions (errors and requests summed)."""
    runs = res.fixed if fixed else res.runs
    keys = list(dict.fromkeys(k for run in runs for k in run))
    return {k: _sample_median([run[k] for run in runs if k in run]) for k in keys}


def _import_cell(res: DbResult) -> str:
    if not res.imports:
        return "—"
    secs = [r.seconds for r in res.imports]
    first = res.imports[0]
    mid = median(secs)
    text = f"**{mid:.1f} s** {'✓' if mid < 30 else '✗'} ({first.numbers:,} numbers, {first.mode}"
    text += f", {median([r.per_second for r in res.imports]):.0f}/s"
    if len(secs) > 1:
        text += "; runs " + ", ".join(f"{s:.1f}" for s in secs)
    bad = sum(r.errors + r.missing for r in res.imports)
    return text + (f"; {bad} errors/missing" if bad else "") + ")"


def markdown(results: dict[str, DbResult], cfg: Config, when: str) -> str:
    """Every figure as Markdown tables."""
    kinds = list(results)
    out = [
        (
            f"### Results (`python -m bench`, {when}; {cfg.runs} repetition"
            f"{'s' if cfg.runs > 1 else ''}, medians; {platform.python_implementation()} "
            f"{platform.python_version()})"
        ),
        "",
        (
            f"As deployed: {', '.join(f'{LABELS[k]} `{results[k].deployed}`' for k in kinds)}. "
            f"Small database {cfg.small:,} numbers, large {cfg.large:,}; wrk 1 thread x "
            f"{cfg.connections} connections, {cfg.slice_seconds:g} s per endpoint and repetition; "
            f"fixed rate {cfg.rate:g} webhooks/s with {cfg.api_rate:g} API calls/s for "
            f"{cfg.fixed_seconds:g} s."
        ),
        "",
        "| goal (issue 20) | target | "
        + " | ".join(f"{LABELS[k]} ({results[k].deployed})" for k in kinds)
        + " |",
        "|---|---|" + "---|" * len(kinds),
    ]
    per_kind = {k: goals(results[k].deployed) for k in kinds}
    for i, goal in enumerate(goals("console")):
        cells = [
            _fmt(_values(results[k], per_kind[k][i]), per_kind[k][i].unit, per_kind[k][i].ok)
            for k in kinds
        ]
        out.append(f"| {goal.label} | {goal.target} | " + " | ".join(cells) + " |")
    out.append(
        f"| importing {cfg.import_count:,} numbers an account holds (wall) | < 30 s | "
        + " | ".join(_import_cell(results[k]) for k in kinds)
        + " |"
    )
    best = []
    for k in kinds:
        names = [b[0] for run in results[k].runs if (b := best_naive(run))]
        if names:
            best.append(f"{LABELS[k]}: {max(set(names), key=names.count)}")
    if best:
        out += ["", "Best naive handler: " + "; ".join(best) + "."]

    out += [
        "",
        "The same ratios for each logging form:",
        "",
        "| ratio | "
        + " | ".join(f"{LABELS[k]} {f}" for k in kinds for f in ("console", "json"))
        + " |",
        "|---|" + "---|" * (2 * len(kinds)),
    ]
    for i, goal in enumerate(goals("console")):
        if not goal.short:
            continue
        cells = [
            _fmt(_values(results[k], goals(form)[i])) for k in kinds for form in ("console", "json")
        ]
        out.append(f"| {goal.short} | " + " | ".join(cells) + " |")

    out += [
        "",
        "Throughput (closed loop), medians:",
        "",
        "| endpoint | "
        + " | ".join(f"{LABELS[k]} rps, p50 / p99 ms, µs CPU/request" for k in kinds)
        + " |",
        "|---|" + "---|" * len(kinds),
    ]
    meds = {k: medians(results[k]) for k in kinds}
    rows: list[tuple[str, str]] = []
    for form in ("console", "json", "quiet"):
        for endpoint, label in ENDPOINT_LABELS.items():
            rows.append((f"{form}/{endpoint}", f"callplane `{form}`: {label}"))
    for k in kinds:
        d = results[k].deployed
        row = (f"{d}/webhook-large", f"callplane `{d}`: voice webhook, large database")
        if row not in rows:
            rows.append(row)
    rows.append(("bare/healthz", "bare Starlette app: GET /healthz"))
    rows += [
        (f"naive/{n}", f"naive handler: {n}")
        for n in dict.fromkeys(n for k in kinds for n in results[k].naive)
    ]
    for key, label in rows:
        cells = []
        for k in kinds:
            s = meds[k].get(key)
            if s is None:
                cells.append("—")
                continue
            err = f", **{s.errors} errors**" if s.errors else ""
            cells.append(f"{s.rps:,.0f}, {s.p50_ms:.1f} / {s.p99_ms:.1f}, {s.cpu_us:,.0f}{err}")
        out.append(f"| {label} | " + " | ".join(cells) + " |")

    out += [
        "",
        (
            f"At a fixed {cfg.rate:g} webhooks/s (open loop, small database) with "
            f"{cfg.api_rate:g} API calls/s alongside, medians:"
        ),
        "",
        "| form | "
        + " | ".join(f"{LABELS[k]}: webhook p50 / p99 ms; API p50 / p99 ms" for k in kinds)
        + " |",
        "|---|" + "---|" * len(kinds),
    ]
    fixed = {k: medians(results[k], fixed=True) for k in kinds}
    for form in ("console", "json"):
        cells = []
        for k in kinds:
            hook, api = fixed[k].get(f"{form}/webhook"), fixed[k].get(f"{form}/api")
            if hook is None or api is None:
                cells.append("—")
                continue
            failed = hook.errors + api.errors
            cells.append(
                f"{hook.p50_ms:.1f} / {hook.p99_ms:.1f}; {api.p50_ms:.1f} / "
                f"{api.p99_ms:.1f}" + (f"; **{failed} errors**" if failed else "")
            )
        out.append(f"| `{form}` | " + " | ".join(cells) + " |")
    rss = [
        f"{LABELS[k]} " + ", ".join(f"{n} {v:.0f}" for n, v in results[k].rss_mb.items())
        for k in kinds
        if results[k].rss_mb
    ]
    if rss:
        out += ["", "Peak resident memory, MB: " + "; ".join(rss) + "."]
    return "\n".join(out)


def errors(results: dict[str, DbResult]) -> list[str]:
    """Measurements that saw errors (a figure with errors measures something else)."""
    found = []
    for kind, res in results.items():
        for name, s in {**medians(res), **medians(res, fixed=True)}.items():
            if s.errors:
                found.append(f"{kind} {name}: {s.errors} errors in {s.requests} requests")
        for r in res.imports:
            if r.errors or r.missing:
                found.append(f"{kind} import: {r.errors} errors, {r.missing} missing")
    return found


def as_json(results: dict[str, DbResult], cfg: Config, when: str) -> dict[str, Any]:
    """Every repetition's samples, the medians and the goals."""
    out: dict[str, Any] = {"when": when, "config": asdict(cfg), "databases": {}}
    for kind, res in results.items():
        out["databases"][kind] = {
            "deployed": res.deployed,
            "runs": [{k: asdict(s) for k, s in run.items()} for run in res.runs],
            "fixed": [{k: asdict(s) for k, s in run.items()} for run in res.fixed],
            "imports": [asdict(r) | {"per_second": r.per_second} for r in res.imports],
            "rss_mb": res.rss_mb,
            "medians": {k: asdict(s) for k, s in medians(res).items()},
            "goals": {
                g.label: {
                    "target": g.target,
                    "runs": (v := _values(res, g)),
                    "median": median(v) if v else None,
                }
                for g in goals(res.deployed)
            },
        }
    return out
