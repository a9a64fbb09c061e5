"""The benchmark's arithmetic (`python -m bench`): issue 20's goals computed within each
repetition and reported as medians, and the bulk import found in an OpenAPI document."""

from __future__ import annotations

from bench.harness import Config, DbResult
from bench.importing import ImportResult, _bulk_bodies, bulk_form
from bench.load import Sample
from bench.report import as_json, best_naive, errors, goals, markdown


def s(rps: float, p99: float = 5.0, errs: int = 0) -> Sample:
    return Sample(rps=rps, p50_ms=1.0, p99_ms=p99, requests=int(rps), errors=errs, cpu_us=100.0)


def run(scale: float = 1.0) -> dict[str, Sample]:
    return {
        "console/webhook": s(2000 * scale),
        "console/healthz": s(2400 * scale),
        "console/tenant": s(240 * scale),
        "console/numbers": s(120 * scale),
        "json/webhook": s(1800 * scale),
        "json/healthz": s(2000 * scale),
        "json/tenant": s(200 * scale),
        "json/numbers": s(100 * scale),
        "quiet/webhook": s(4000 * scale),
        "quiet/healthz": s(3600 * scale),
        "quiet/tenant": s(300 * scale),
        "quiet/numbers": s(150 * scale),
        "console/webhook-large": s(1600 * scale, p99=70.0),
        "bare/healthz": s(24000 * scale),
        "naive/fastapi-sync": s(400 * scale),
        "naive/flask-gunicorn-4": s(1000 * scale),
    }


def result(runs: list[dict[str, Sample]]) -> DbResult:
    fixed = [
        {
            "console/webhook": s(200, p99=4.0 + i),
            "console/api": s(5, p99=20.0),
            "json/webhook": s(200, p99=6.0),
            "json/api": s(5, p99=30.0),
        }
        for i in range(len(runs))
    ]
    return DbResult(
        "sqlite",
        "console",
        runs=runs,
        fixed=fixed,
        imports=[ImportResult(5000, 125.0, "single", 5000, 0, 0)],
        naive=["fastapi-sync", "flask-gunicorn-4"],
    )


def test_goals_are_ratios_within_a_repetition() -> None:
    by_label = {g.label: g for g in goals("console")}
    r = run()
    fixed = result([r]).fixed[0]

    def value(prefix: str) -> float | None:
        goal = next(g for label, g in by_label.items() if label.startswith(prefix))
        return goal.value(r, fixed)

    assert value("voice webhook as deployed / same service") == 0.5
    assert value("/healthz as deployed") == 0.1
    assert value("voice webhook as deployed / best naive") == 2.0  # flask, the best
    assert value("p99 of the webhook at a fixed rate") == 4.0
    assert value("webhook at the large database") == 0.8
    assert value("p99 of the webhook under that load") == 70.0
    assert value("GET /v1/tenants") == 0.1
    assert value("a page of 100 numbers") == 0.05
    assert best_naive(r) == ("flask-gunicorn-4", r["naive/flask-gunicorn-4"])


def test_markdown_reports_the_median_of_the_repetitions_and_each_run() -> None:
    # The machine got slower in the second repetition: ratios hold, absolute figures do not.
    res = result([run(1.0), run(0.5), run(1.0)])
    text = markdown({"sqlite": res}, Config(runs=3), "2026-12-04")
    assert (
        "| voice webhook as deployed / same service with logging off | ≥ 0.85 | **0.50** ✗" in text
    )
    assert "(0.50, 0.50, 0.50)" in text
    assert "**5.0 ms** ✓ (4.0, 5.0, 6.0)" in text  # fixed-rate p99: median of 4, 5, 6
    assert "**125.0 s** ✗ (5,000 numbers, single, 40/s)" in text
    assert "Best naive handler: SQLite: flask-gunicorn-4." in text
    assert "| callplane `console`: voice webhook | 2,000, 1.0 / 5.0, 100 |" in text
    data = as_json({"sqlite": res}, Config(runs=3), "2026-12-04")
    goal = data["databases"]["sqlite"]["goals"]["/healthz as deployed / bare Starlette endpoint"]
    assert goal["runs"] == [0.1, 0.1, 0.1] and goal["median"] == 0.1
    assert errors({"sqlite": res}) == []


def test_errors_are_reported() -> None:
    r = run()
    r["json/tenant"] = s(200, errs=3)
    assert errors({"postgres": result([r])}) == ["postgres json/tenant: 3 errors in 200 requests"]


SINGLE = {
    "paths": {
        "/v1/tenants/{tid}/phone-numbers/import": {
            "post": {
                "requestBody": {
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/NumberImport"}
                        }
                    }
                }
            }
        }
    },
    "components": {
        "schemas": {
            "NumberImport": {
                "type": "object",
                "properties": {
                    "phone_number": {"type": "string"},
                    "manage_webhooks": {"type": "boolean"},
                },
            }
        }
    },
}


def _spec(body: dict[str, object], **schemas: object) -> dict[str, object]:
    return {
        "paths": {
            "/v1/tenants/{tid}/phone-numbers/import": {
                "post": {"requestBody": {"content": {"application/json": {"schema": body}}}}
            }
        },
        "components": {"schemas": {**SINGLE["components"]["schemas"], **schemas}},  # type: ignore[index]
    }


def test_bulk_import_is_found_in_the_openapi_document() -> None:
    assert bulk_form(SINGLE) is None
    objects = _spec(
        {
            "anyOf": [
                {"$ref": "#/components/schemas/NumberImport"},
                {"$ref": "#/components/schemas/NumberImportMany"},
            ]
        },
        NumberImportMany={
            "type": "object",
            "properties": {
                "numbers": {
                    "type": "array",
                    "maxItems": 1000,
                    "items": {"$ref": "#/components/schemas/NumberImport"},
                }
            },
        },
    )
    form = bulk_form(objects)
    assert form is not None
    assert (form.field, form.objects, form.item_manage, form.top_manage, form.max_items) == (
        "numbers",
        True,
        True,
        False,
        1000,
    )
    numbers = [f"+1415555{i:04d}" for i in range(2500)]
    bodies = _bulk_bodies(form, numbers)
    assert [len(b["numbers"]) for b in bodies] == [1000, 1000, 500]
    assert bodies[0]["numbers"][0] == {"phone_number": "+14155550000", "manage_webhooks": True}

    strings = _spec(
        {
            "type": "object",
            "properties": {
                "phone_numbers": {"type": "array", "items": {"type": "string"}},
                "manage_webhooks": {"type": "boolean"},
            },
        }
    )
    form = bulk_form(strings)
    assert form is not None and not form.objects and form.top_manage
    assert _bulk_bodies(form, numbers[:3]) == [
        {"phone_numbers": numbers[:3], "manage_webhooks": True}
    ]
    assert bulk_form(strings, field="other") is None
