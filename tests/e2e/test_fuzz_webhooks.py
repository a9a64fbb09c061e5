"""Property-based fuzzing of the webhooks through the app (form parsing, signatures, routing).

- Whatever bytes, content type, query string and headers arrive, a webhook answers a 4xx with
  the JSON error body (400, 403, 413 or 415), never a 500 and never TwiML.
- Any form Twilio could sign (any fields, repeated fields, any text in them, any `To`), signed
  with the account's token over the public URL, is answered 200 with TwiML; a call to the held
  number reaches its agent.
- The same form with any one change to what was signed (a value, a field's name, a field added
  or dropped, the URL's path or query, another token) is refused with 403.
- On both databases, NUL characters and text that is not Latin-1 in any field (Twilio's own and
  extra ones, names and values) of a signed form: answered 200 and recorded, never lost (a NUL
  is recorded as U+FFFD; PostgreSQL text cannot hold one).
"""

from __future__ import annotations

import json
import string
import uuid
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from callplane.sandbox.server import SandboxServer
from tests.fixtures.db import PUBLIC_BASE_URL
from tests.fixtures.inprocess import (
    BASE,
    World,
    any_db_world,  # noqa: F401  (a fixture)
    recorded_events,
    start_world,
)

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore")]

FUZZ = settings(
    max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), database=None
)
KINDS = ["voice", "sms", "status", "recording"]
ERROR_STATUSES = {400, 403, 413, 415}
HEADER_CHARS = string.ascii_letters + string.digits + " ;=/+-_.,:"
URL_CHARS = string.ascii_letters + string.digits + "=&%-_.~+"

names = st.text(alphabet=string.ascii_letters + string.digits + "_", min_size=1, max_size=16)
values = st.text(max_size=60)
phoneish = st.one_of(
    st.text(alphabet="0123456789+-() ", max_size=20), st.text(max_size=20), st.just("")
)


@pytest.fixture(scope="module")
def world(sandbox_server: SandboxServer, tmp_path_factory: pytest.TempPathFactory) -> World:
    return start_world(sandbox_server, tmp_path_factory, "webhooks")


def _form(world: World, kind: str, to: str, extra: list[tuple[str, str]]) -> list[tuple[str, str]]:
    sid = "CA" + uuid.uuid4().hex
    pairs = [
        ("AccountSid", str(world.settings.twilio_account_sid)),
        ("To", to),
        ("From", "+12125550199"),
        ("CallSid", sid),
        ("CallStatus", "ringing"),
    ]
    if kind == "sms":
        pairs += [("MessageSid", "SM" + uuid.uuid4().hex), ("Body", "hello")]
    if kind == "status":
        pairs[-1] = ("CallStatus", "completed")
    if kind == "recording":
        pairs += [("RecordingSid", "RE" + uuid.uuid4().hex), ("RecordingStatus", "completed")]
    # Twilio's own fields come first: a generated field of the same name repeats it.
    return pairs + extra


def _post(
    world: World, kind: str, pairs: list[tuple[str, str]], signature: str | None, query: str = ""
) -> Any:
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "I-Twilio-Idempotency-Token": uuid.uuid4().hex,
    }
    if signature is not None:
        headers["X-Twilio-Signature"] = signature.strip()
    path = f"/webhooks/twilio/{kind}" + (f"?{query}" if query else "")
    with world.client() as client:
        return client.post(BASE + path, data=urlencode(pairs).encode(), headers=headers)


def _sign(token: str, kind: str, pairs: list[tuple[str, str]], query: str = "") -> str:
    from callplane.gateway.twilio_signature import FormParams

    url = f"{PUBLIC_BASE_URL}/webhooks/twilio/{kind}" + (f"?{query}" if query else "")
    return RequestValidator(token).compute_signature(url, FormParams(pairs))


def _is_error(response: Any) -> bool:
    if response.status_code not in ERROR_STATUSES:
        return False
    body = response.json()
    return isinstance(body.get("error", {}).get("code"), str)


@FUZZ
@given(
    kind=st.sampled_from([*KINDS, "whisper"]),
    body=st.one_of(st.binary(max_size=3000), st.text(max_size=3000).map(str.encode)),
    ctype=st.one_of(
        st.sampled_from(
            [
                "application/x-www-form-urlencoded",
                "application/json",
                "text/plain",
                "multipart/form-data; boundary=x",
                "",
            ]
        ),
        st.text(alphabet=HEADER_CHARS, max_size=30),
    ),
    query=st.one_of(
        st.just(""), st.just("bodySHA256=00"), st.text(alphabet=URL_CHARS, max_size=30)
    ),
    signature=st.one_of(st.none(), st.text(alphabet=HEADER_CHARS, max_size=40)),
)
def test_garbage_is_a_4xx_error_never_a_500(
    world: World, kind: str, body: bytes, ctype: str, query: str, signature: str | None
) -> None:
    headers = {"Content-Type": ctype.strip()} if ctype.strip() else {}
    if signature is not None and signature.strip():
        headers["X-Twilio-Signature"] = signature.strip()
    path = f"/webhooks/twilio/{kind}" + (f"?{query}" if query else "")
    with world.client() as client:
        response = client.post(BASE + path, data=body, headers=headers)
    assert _is_error(response), (response.status_code, response.text[:300])


@FUZZ
@given(
    kind=st.sampled_from(KINDS),
    to=phoneish,
    extra=st.lists(st.tuples(names, values), max_size=10),
    held=st.booleans(),
)
def test_any_signed_form_is_answered_with_twiml(
    world: World, kind: str, to: str, extra: list[tuple[str, str]], held: bool
) -> None:
    token = world.settings.twilio_auth_token.get_secret_value()
    pairs = _form(world, kind, world.number if held else to, extra)
    response = _post(world, kind, pairs, _sign(token, kind, pairs))
    assert response.status_code == 200, (response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("application/xml")
    assert response.text.startswith("<?xml") and "<Response" in response.text
    if held and kind == "voice" and not any(k in ("To", "AccountSid") for k, _ in extra):
        assert "wss://ai.example.com/s" in response.text and world.tenant_id in response.text


@FUZZ
@given(
    kind=st.sampled_from(KINDS),
    extra=st.lists(st.tuples(names, values), max_size=8),
    change=st.sampled_from(["value", "name", "add", "drop", "path", "query", "token"]),
    data=st.data(),
)
def test_any_change_to_a_signed_form_is_refused(
    world: World, kind: str, extra: list[tuple[str, str]], change: str, data: Any
) -> None:
    token = world.settings.twilio_auth_token.get_secret_value()
    pairs = _form(world, kind, world.number, extra)
    signature = _sign(token, kind, pairs)
    sent, path_kind, query = list(pairs), kind, ""
    if change == "value":
        i = data.draw(st.integers(0, len(sent) - 1))
        sent[i] = (sent[i][0], sent[i][1] + data.draw(st.text(min_size=1, max_size=3)))
    elif change == "name":
        i = data.draw(st.integers(0, len(sent) - 1))
        sent[i] = (sent[i][0] + data.draw(names), sent[i][1])
    elif change == "add":
        sent.append((data.draw(names), data.draw(values)))
    elif change == "drop":
        sent.pop(data.draw(st.integers(0, len(sent) - 1)))
    elif change == "path":
        path_kind = data.draw(st.sampled_from([k for k in KINDS if k != kind]))
    elif change == "query":
        query = data.draw(st.sampled_from(["a=1", "x", "bodySHA256=1"]))
    else:
        token = uuid.uuid4().hex
        signature = _sign(token, kind, pairs)
    # Twilio signs a canonical string; a change it cannot see (the SDK signs the changed form
    # alike) is not a change.
    if change in ("value", "name", "add", "drop"):
        assume(_sign(token, kind, sent) != signature)
    response = _post(world, path_kind, sent, signature, query)
    if change == "query" and query.startswith("bodySHA256"):
        assert response.status_code in (400, 403), response.text[:300]
    else:
        assert response.status_code == 403, (change, response.status_code, response.text[:300])
    assert json.loads(response.text)["error"]["code"] in ("forbidden", "bad_request")


# NUL, Latin-1 and beyond (no surrogates: a form is UTF-8).
HARD_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from("\x00\x00€✓ü漢😀\u2028\ufeff"),
        st.characters(blacklist_categories=("Cs",)),
    ),
    max_size=20,
)
HARD_FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None
)


@HARD_FUZZ
@given(
    kind=st.sampled_from(KINDS),
    spoiled=st.lists(st.sampled_from(["To", "From", "CallStatus", "Body", "CallSid"]), max_size=3),
    noise=HARD_TEXT,
    extra=st.lists(st.tuples(HARD_TEXT.filter(bool), HARD_TEXT), max_size=4),
)
def test_nul_and_non_latin1_in_any_field_is_recorded_on_both_databases(
    any_db_world: World,  # noqa: F811  (the fixture imported above)
    kind: str,
    spoiled: list[str],
    noise: str,
    extra: list[tuple[str, str]],
) -> None:
    world = any_db_world
    token = world.settings.twilio_auth_token.get_secret_value()
    pairs = _form(world, kind, world.number, extra)
    sid = dict(pairs)["CallSid"]
    if kind == "status":
        spoiled = [f for f in spoiled if f != "CallSid"]  # the callback's subject stays
    pairs = [(k, v + noise + "\x00" if k in spoiled else v) for k, v in pairs]
    response = _post(world, kind, pairs, _sign(token, kind, pairs))
    assert response.status_code == 200, (response.status_code, response.text[:300])
    assert response.text.startswith("<?xml") and "\x00" not in response.text
    if "CallSid" not in spoiled and kind != "sms":
        assert recorded_events(world, sid) == 1, (kind, spoiled)
