"""The contract validator catches what it must: bad bodies, unknown paths, wrong error shapes."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from typing import Any

import pytest

from callplane.sandbox.observe import ObservedExchange
from tests.fixtures.contract import (
    ContractRecorder,
    ContractValidator,
    SchemaTranslator,
    check_error_body,
    default_oai_dir,
)

AC = "AC" + "a" * 32
PN = "PN" + "b" * 32
TK = "TK" + "c" * 32
IPN_PATH = f"/2010-04-01/Accounts/{AC}/IncomingPhoneNumbers/{PN}.json"
IPN_LIST = f"/2010-04-01/Accounts/{AC}/IncomingPhoneNumbers.json"
IPN_TEMPLATE = "/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{Sid}.json"
EXAMPLES = default_oai_dir() / "examples"


@pytest.fixture(scope="module")
def validator() -> ContractValidator:
    """One validator for the module (parsing the specs is the slow part)."""
    return ContractValidator()


def example(name: str) -> Any:
    """A real Twilio body from twilio-oai/examples/."""
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def ipn() -> dict[str, Any]:
    """A complete, current IncomingPhoneNumber body (the spec's own fetch example)."""
    return example("oai_api_v2010_fetch_incoming_phone_number_fetch.json")


def exchange(
    path: str = IPN_PATH,
    body: Any = None,
    *,
    status: int = 200,
    method: str = "GET",
    product: str = "api",
) -> ObservedExchange:
    """An exchange as the sandbox would report it."""
    return ObservedExchange(product=product, method=method, path=path, status=status, body=body)


def errors(validator: ContractValidator, ex: ObservedExchange) -> list[str]:
    """The violation's errors, [] when the exchange conforms."""
    violation = validator.check(ex)
    return list(violation.errors) if violation else []


# --- bodies ---------------------------------------------------------------------------------


def test_correct_body_passes(validator: ContractValidator) -> None:
    """A real, current IncomingPhoneNumber validates."""
    assert errors(validator, exchange(body=ipn())) == []


def test_correct_list_and_v1_bodies_pass(validator: ContractValidator) -> None:
    """A v2010 page, a v1 resource and a v1 create answer validate."""
    page = example("oai_api_v2010_list_incoming_phone_number_read_full.json")
    assert errors(validator, exchange(IPN_LIST, page)) == []
    trunk = example("oai_trunking_v1_fetch_trunk_fetch.json")
    assert errors(validator, exchange(f"/v1/Trunks/{TK}", trunk, product="trunking")) == []
    created = example("oai_trunking_v1_create_trunk_create.json")
    create = exchange("/v1/Trunks", created, status=201, method="POST", product="trunking")
    assert errors(validator, create) == []


def test_undeclared_field_fails(validator: ContractValidator) -> None:
    """A field the spec does not declare is a violation, in a resource and in a page record."""
    body = {**ipn(), "made_up": 1}
    assert errors(validator, exchange(body=body)) == [
        "$: Additional properties are not allowed ('made_up' was unexpected)"
    ]
    trunk_number = example("trunking_v1_trunk_phone_number_fetch.json")
    path = f"/v1/Trunks/{TK}/PhoneNumbers/{PN}"
    assert errors(validator, exchange(path, trunk_number, product="trunking")) == []
    with_type = {**trunk_number, "type": "local"}  # issue 19: a field neither spec nor Twilio has
    assert errors(validator, exchange(path, with_type, product="trunking")) == [
        "$: Additional properties are not allowed ('type' was unexpected)"
    ]


def test_missing_key_fails(validator: ContractValidator) -> None:
    """A resource without one of its declared fields is a violation."""
    body = ipn()
    del body["phone_number"]
    assert errors(validator, exchange(body=body)) == ["$: 'phone_number' is a required property"]


def test_missing_keys_are_reported_on_one_line(validator: ContractValidator) -> None:
    """Several absent keys of one object make one error line naming them all."""
    body = ipn()
    del body["phone_number"], body["voice_url"]
    assert errors(validator, exchange(body=body)) == [
        "$: 2 required properties missing: phone_number, voice_url"
    ]


def test_missing_key_in_a_list_record_fails(validator: ContractValidator) -> None:
    """So is a page record without one."""
    page = example("oai_api_v2010_list_incoming_phone_number_read_full.json")
    del page["incoming_phone_numbers"][0]["voice_url"]
    found = errors(validator, exchange(IPN_LIST, page))
    assert found == ["$.incoming_phone_numbers[0]: 'voice_url' is a required property"]


def test_missing_envelope_key_fails(validator: ContractValidator) -> None:
    """So is a v2010 envelope or a v1 `meta` without a paging key."""
    page = example("oai_api_v2010_list_incoming_phone_number_read_full.json")
    del page["next_page_uri"]
    found = errors(validator, exchange(IPN_LIST, page))
    assert found == ["$: 'next_page_uri' is a required property"]
    v1 = example("oai_trunking_v1_list_trunk_read_full.json")
    del v1["meta"]["key"]
    assert errors(validator, exchange("/v1/Trunks", v1, product="trunking")) == [
        "$.meta: 'key' is a required property"
    ]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("beta", "yes"),  # boolean
        ("capabilities", "voice"),  # object
        ("friendly_name", 5),  # string
        ("voice_caller_id_lookup", 1),  # boolean, and 1 is not True in JSON Schema
        ("address_requirements", "sometimes"),  # enum
        ("sms_method", "PUT"),  # enum GET/POST
        ("sid", "PN123"),  # SID pattern
        ("account_sid", ""),  # an account SID is never unset: no "" for it
        ("sid", ""),  # nor is the resource's own
        ("date_created", "2015-07-30T23:19:04Z"),  # v2010 dates are RFC 2822
        ("date_created", "Thu, 30 Jul 2015 23:19:04 GMT"),  # ... with +0000, as Twilio writes
        ("date_updated", "Fri, 30 Jul 2015 23:19:04 +0000"),  # ... and a true weekday
        ("date_updated", "Thu, 30 Jul 2015 23:19"),
    ],
)
def test_wrong_type_or_value_fails(validator: ContractValidator, field: str, value: Any) -> None:
    """A wrong type, enum value, SID shape or date convention fails."""
    body = ipn()
    body[field] = value
    found = errors(validator, exchange(body=body))
    assert len(found) >= 1 and all(f.startswith(f"$.{field}:") for f in found), found


def test_nested_wrong_type_fails(validator: ContractValidator) -> None:
    """Nested objects are checked too."""
    body = ipn()
    body["capabilities"]["sms"] = "true"
    assert errors(validator, exchange(body=body)) == [
        "$.capabilities.sms: 'true' is not of type 'boolean'"
    ]


def test_nullable_is_translated(validator: ContractValidator) -> None:
    """`nullable: true` admits null; fields without it do not."""
    body = ipn()
    # nullable: true on plain types, on enums and on objects admits null ...
    for field in ("friendly_name", "sms_method", "capabilities", "beta", "voice_url"):
        body[field] = None
    assert errors(validator, exchange(body=body)) == []
    # ... and what is not nullable stays so: the $ref'd enums of v2010 are not nullable,
    body["address_requirements"] = None
    assert errors(validator, exchange(body=body)) == [
        "$.address_requirements: None is not of type 'string'",
        "$.address_requirements: None is not one of ['none', 'any', 'local', 'foreign']",
    ]
    # and a v2010 page's `page` is a plain integer.
    page = example("oai_api_v2010_list_incoming_phone_number_read_full.json")
    page["page"] = None
    found = errors(validator, exchange(IPN_LIST, page))
    assert found == ["$.page: None is not of type 'integer'"]


@pytest.mark.parametrize(
    "value",
    ["Thu, 30 Jul 2015 23:19:04 +0000", "2015-07-30T23:19:04+00:00", "2015-07-30T23:19:04.5Z"],
)
def test_v1_dates_are_twilio_iso(validator: ContractValidator, value: str) -> None:
    """v1 dates must be Twilio's `YYYY-MM-DDTHH:MM:SSZ`, which the SDK parses."""
    trunk = example("oai_trunking_v1_fetch_trunk_fetch.json")
    trunk["date_created"] = value
    found = errors(validator, exchange(f"/v1/Trunks/{TK}", trunk, product="trunking"))
    assert found == [f"$.date_created: {value!r} is not a 'date-time'"]


# --- relaxations ----------------------------------------------------------------------------


def test_relaxations_admit_real_shapes_only(validator: ContractValidator) -> None:
    """Relaxations admit "" SIDs and decimal-string lat/long, nothing else."""
    body = ipn()
    body["sms_application_sid"] = ""  # unset SID: as Twilio sends it
    body["trunk_sid"] = ""
    assert errors(validator, exchange(body=body)) == []
    body["trunk_sid"] = "TK"  # still not a SID
    assert errors(validator, exchange(body=body))

    path = f"/2010-04-01/Accounts/{AC}/AvailablePhoneNumbers/US/Local.json"
    search = example("oai_api_v2010_list_available_phone_number_local_read_full.json")
    number = search["available_phone_numbers"][0]
    for value in ("19.720000", 19.72, "-155", None):
        number["latitude"] = value
        assert errors(validator, exchange(path, search)) == [], value
    for value in ("north", "", True):
        number["latitude"] = value
        assert errors(validator, exchange(path, search)), value


def test_unpaged_envelope_only_for_number_search(validator: ContractValidator) -> None:
    """A number search needs only `uri` and its records."""
    search = example("oai_api_v2010_list_available_phone_number_local_read_full.json")
    path = f"/2010-04-01/Accounts/{AC}/AvailablePhoneNumbers/US/Local.json"
    assert errors(validator, exchange(path, search)) == []
    del search["uri"]
    assert errors(validator, exchange(path, search)) == ["$: 'uri' is a required property"]


def test_without_completeness_only_the_spec_counts() -> None:
    """With completeness off, a missing field passes (the spec has no `required`)."""
    loose = ContractValidator(complete=False)
    body = ipn()
    del body["phone_number"]
    assert errors(loose, exchange(body=body)) == []


# --- operations, statuses, paths ------------------------------------------------------------


def test_unknown_path_is_reported(validator: ContractValidator) -> None:
    """A path no spec template matches is a violation."""
    v = validator.check(exchange(f"/2010-04-01/Accounts/{AC}/Bogus.json", {"x": 1}))
    assert v is not None and v.errors == ("path is not in the spec",)
    assert v.template is None
    v = validator.check(exchange("/v1/Trunks/x/y/z", {}, product="trunking"))
    assert v is not None and v.errors == ("path is not in the spec",)


def test_unknown_product_is_reported(validator: ContractValidator) -> None:
    """A product without a spec is a violation."""
    v = validator.check(exchange("/v1/Things", {}, product="video"))
    assert v is not None and "unknown product" in v.errors[0]


def test_unknown_path_404_is_allowed_but_its_body_checked(validator: ContractValidator) -> None:
    """An unknown path may answer 404, with a proper Twilio error body."""
    path = f"/2010-04-01/Accounts/{AC}/Bogus.json"
    good = {
        "code": 20404,
        "message": "The requested resource was not found",
        "more_info": "https://www.twilio.com/docs/errors/20404",
        "status": 404,
    }
    assert errors(validator, exchange(path, good, status=404)) == []
    assert errors(validator, exchange(path, {"detail": "Not Found"}, status=404))


def test_undocumented_method_and_status_fail(validator: ContractValidator) -> None:
    """A method or a success status the spec does not document fails."""
    found = errors(validator, exchange(f"/2010-04-01/Accounts/{AC}.json", {}, method="DELETE"))
    assert found and "method DELETE is not in the spec" in found[0]
    # Creating a number answers 201, not 200.
    found = errors(
        validator,
        exchange(IPN_LIST, ipn(), method="POST"),
    )
    assert found == ["status 200 is not in the spec (it has ['201'])"]


def test_delete_answers_no_body(validator: ContractValidator) -> None:
    """A 204 answers nothing."""
    assert errors(validator, exchange(IPN_PATH, None, status=204, method="DELETE")) == []
    assert errors(validator, exchange(IPN_PATH, {"deleted": True}, status=204, method="DELETE"))


def test_literal_segments_beat_parameters(validator: ContractValidator) -> None:
    """Literal path segments win over `{Sid}` parameters."""
    index = validator.spec("api")
    base = f"/2010-04-01/Accounts/{AC}/IncomingPhoneNumbers"
    local = "/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/Local.json"
    assert index.match(f"{base}/Local.json") == local
    assert index.match(f"{base}/{PN}.json") == IPN_TEMPLATE
    assert index.match("/2010-04-01/Accounts.json") == "/2010-04-01/Accounts.json"
    assert index.match(f"/2010-04-01/Accounts/{AC}.json") == "/2010-04-01/Accounts/{Sid}.json"
    trunk_numbers = validator.spec("trunking").match(f"/v1/Trunks/{TK}/PhoneNumbers")
    assert trunk_numbers == "/v1/Trunks/{TrunkSid}/PhoneNumbers"


def test_query_string_is_ignored_for_matching(validator: ContractValidator) -> None:
    """A query string does not stop a path from matching."""
    page = example("oai_api_v2010_list_incoming_phone_number_read_empty.json")
    path = f"/2010-04-01/Accounts/{AC}/IncomingPhoneNumbers.json?PageSize=50&Page=0"
    assert errors(validator, exchange(path, page)) == []


# --- error bodies ---------------------------------------------------------------------------

GOOD_ERROR = {
    "code": 21422,
    "message": "PhoneNumber Requested is not available",
    "more_info": "https://www.twilio.com/docs/errors/21422",
    "status": 400,
}


def test_good_error_body_passes(validator: ContractValidator) -> None:
    """Twilio's error body validates on a 4xx."""
    path = f"/2010-04-01/Accounts/{AC}/IncomingPhoneNumbers.json"
    assert errors(validator, exchange(path, GOOD_ERROR, status=400, method="POST")) == []


@pytest.mark.parametrize(
    ("change", "expect"),
    [
        ({"code": "21422"}, "$.code: '21422' is not of type 'integer'"),
        ({"status": "400"}, "$.status: '400' is not of type 'integer'"),
        ({"message": None}, "$.message: None is not of type 'string'"),
        ({"more_info": None}, "$.more_info: None is not of type 'string'"),
        ({"status": 404}, "$.status: 404 but the HTTP status is 400"),
        ({"more_info": "https://example.com"}, "$.more_info: 'https://example.com', Twilio sends"),
        ({"code": None, "message": None}, "$.code: None is not of type 'integer'"),
    ],
)
def test_error_body_with_wrong_shape_fails(change: dict[str, Any], expect: str) -> None:
    """A mistyped, mismatched or off-site error body fails."""
    body = {**GOOD_ERROR, **change}
    found = check_error_body(400, body)
    assert any(f.startswith(expect) for f in found), found


@pytest.mark.parametrize("missing", ["code", "message", "more_info", "status"])
def test_error_body_missing_key_fails(validator: ContractValidator, missing: str) -> None:
    """An error body without one of its four keys fails."""
    body = {k: v for k, v in GOOD_ERROR.items() if k != missing}
    found = errors(validator, exchange(f"/v1/Trunks/{TK}", body, status=400, product="trunking"))
    assert found == [f"$: '{missing}' is a required property"]


def test_error_body_that_is_not_json_object_fails() -> None:
    """A non-JSON or empty error answer fails."""
    assert check_error_body(500, "Internal Server Error") == [
        "$: 'Internal Server Error' is not of type 'object'"
    ]
    assert check_error_body(500, None) == ["$: None is not of type 'object'"]


# --- recorder, translation, caching ---------------------------------------------------------


def test_recorder_keeps_violations_and_never_raises(validator: ContractValidator) -> None:
    """The recorder keeps exchanges and violations and folds repeats in its report."""
    recorder = ContractRecorder(validator)
    recorder(exchange(body=ipn()))
    bad = ipn()
    del bad["sid"]
    recorder(exchange(body=bad))
    recorder(exchange(body=bad))
    recorder(exchange("/v1/Things", {}, product="video"))
    assert len(recorder.exchanges) == 4
    assert len(recorder.violations) == 3
    first = recorder.violations[0]
    assert first.template == IPN_TEMPLATE
    assert first.test and "test_recorder_keeps_violations" in first.test
    report = recorder.report()
    assert "3 Twilio contract violation(s) in 4 sandbox answer(s)" in report
    assert "'sid' is a required property" in report and "[x2]" in report


def test_recorder_survives_a_crashing_check() -> None:
    """A crashing check becomes a violation, not an exception in the sandbox."""

    class Broken(ContractValidator):
        def check(self, exchange: ObservedExchange) -> Any:
            raise RuntimeError("boom")

    recorder = ContractRecorder(Broken())
    recorder(exchange(body=ipn()))
    assert recorder.violations and "contract check crashed" in recorder.violations[0].errors[0]


def test_recorder_is_thread_safe(validator: ContractValidator) -> None:
    """Answers reported from many threads are all kept."""
    recorder = ContractRecorder(validator)
    body = ipn()
    threads = [
        threading.Thread(target=lambda: [recorder(exchange(body=body)) for _ in range(50)])
        for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(recorder.exchanges) == 400 and recorder.violations == []


def test_specs_are_parsed_once_and_validators_compiled_once(validator: ContractValidator) -> None:
    """Specs are parsed once per process and validators compiled once per response."""
    assert validator.spec("api") is validator.spec("api")
    # Validators with other relaxations share the parsed JSON; only schemas are their own.
    assert ContractValidator(relaxations=()).spec("api").spec is validator.spec("api").spec
    index = validator.spec("api")
    op = index.operation(IPN_TEMPLATE, "GET")
    assert op is not None
    assert index.validator(op, "200") is index.validator(op, "200")


@pytest.mark.parametrize("product", ["api", "trunking", "pricing", "numbers", "messaging"])
def test_every_response_schema_translates(validator: ContractValidator, product: str) -> None:
    """The whole of each spec compiles, so an answer on any path gets a real check."""
    index = validator.spec(product)
    compiled = 0
    for template, ops in index.spec["paths"].items():
        for method in ops:
            op = index.operation(template, method)
            if op is None:
                continue
            for status in op.responses:
                index.validator(op, status)
                compiled += 1
    assert compiled > 5


def test_translation_does_not_touch_the_spec() -> None:
    """Translating leaves the (shared) parsed spec unchanged."""
    spec = json.loads((default_oai_dir() / "twilio_trunking_v1.json").read_text(encoding="utf-8"))
    before = copy.deepcopy(spec)
    translator = SchemaTranslator(spec)
    response = spec["paths"]["/v1/Trunks"]["get"]["responses"]["200"]
    translator.translate(response["content"]["application/json"]["schema"])
    assert spec == before


def test_nullable_enum_admits_null() -> None:
    """Nullable enums get None in their enum; untyped nullables become anyOf."""
    spec = {
        "components": {"schemas": {"e": {"type": "string", "enum": ["a", "b"], "nullable": True}}}
    }
    schema = SchemaTranslator(spec).translate({"$ref": "#/components/schemas/e"})
    assert schema == {"type": ["string", "null"], "enum": ["a", "b", None]}
    untyped = SchemaTranslator(spec).translate({"oneOf": [{"type": "string"}], "nullable": True})
    assert untyped == {"anyOf": [{"oneOf": [{"type": "string"}]}, {"type": "null"}]}


# --- the session fails on a violation -------------------------------------------------------


def run_inner_session(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run pytest on tmp_path with only the contract plugin loaded."""
    repo = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(repo), str(repo / "src")])}
    env.pop("PYTEST_ADDOPTS", None)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "tests.fixtures.contract",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(tmp_path),
            str(tmp_path),
        ],
        check=False,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_violation_fails_the_pytest_session(tmp_path: Path) -> None:
    """A run whose tests all pass still exits non-zero, printing the violation."""
    (tmp_path / "test_inner.py").write_text(
        textwrap.dedent(
            f"""
            from callplane.sandbox.observe import ObservedExchange

            def test_answer(twilio_contract):
                twilio_contract(ObservedExchange(
                    product="api", method="GET",
                    path="/2010-04-01/Accounts/{AC}/Nope.json", status=200, body={{}},
                ))

            def test_clean(twilio_contract):
                pass
            """
        )
    )
    result = run_inner_session(tmp_path)
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert "2 passed" in out
    assert "Twilio contract violations" in out
    assert f"GET api:/2010-04-01/Accounts/{AC}/Nope.json -> 200" in out
    assert "path is not in the spec" in out
    assert "test_inner.py::test_answer" in out


def test_a_clean_session_passes(tmp_path: Path) -> None:
    """A run without violations exits 0 and says how many answers conform."""
    (tmp_path / "test_inner.py").write_text(
        textwrap.dedent(
            f"""
            from callplane.sandbox.observe import ObservedExchange

            def test_answer(twilio_contract):
                twilio_contract(ObservedExchange(
                    product="trunking", method="DELETE",
                    path="/v1/Trunks/{TK}", status=204, body=None,
                ))
            """
        )
    )
    result = run_inner_session(tmp_path)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert "1 sandbox answer(s) checked, all conform" in out
