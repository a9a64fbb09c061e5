"""Every URL the sandbox accepts in a write: Twilio's refusal, or kept and signed exactly.

The class of mistake, not one instance of it. The operations and their URL parameters come from
Twilio's specs (every form parameter with `format: uri`): each one the sandbox serves must be in
WRITES, with a valid request and the code Twilio answers a bad URL with. Then, for every such
parameter:

* URLs Twilio refuses (raw spaces, non-ASCII, bad escapes, characters outside RFC 3986, no host)
  are refused with that code and nothing changes in the sandbox;
* valid URLs that trip re-encoders (`+`, `%20`, `'`, encoded non-ASCII, sub-delimiters) are
  accepted and shown exactly as given;
* for every parameter the sandbox requests (voice, SMS, fallback and status-callback URLs), the
  webhook it sends is signed over the URL the receiver sees: twilio-python's RequestValidator
  and twilio-node's validateRequest both accept it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from callplane.sandbox.errors import TwilioError
from callplane.sandbox.server import SandboxServer
from tests.contract.node_validator import SignedRequest, validate_with_node
from tests.contract.scenarios import TO, World
from tests.fixtures.contract import SPEC_FILES, default_oai_dir, load_spec
from tests.fixtures.sandbox import Received, WebhookReceiver

HOST = "https://hooks.example.com"
BAD_URLS = (
    "not a url",
    "/relative/voice",
    "ftp://hooks.example.com/voice",
    "http:///voice",
    "https://exa mple.com/v",
    "https://hooks.example.com/v oice",
    "https://hooks.example.com/voice?x=a b",
    "https://hooks.example.com/voice?y=\u00e9",
    "https://hooks.example.com/caf\u00e9",
    "https://hooks.example.com/voice?x=%zz",
    "https://hooks.example.com/voice?x=a|b",
    'https://hooks.example.com/voice?x="q"',
    "https://hooks_example.com/voice",
    "https://hooks.example.com:99999/voice",
)
# Valid RFC 3986, each a trap for a re-encoder: +, %20, ', encoded non-ASCII, sub-delimiters.
TRICKY_PATHS = (
    "/hook/plus?x=a+b",
    "/hook/space?x=a%20b&y=%C3%A9",
    "/hook/it's?name=O'Brien",
    "/hook/caf%C3%A9/a%2Fb?q=:@!$'()*,;=&r=%2B1",
    "/hook/plain",
)
BAD_SIP = ("sip:a b@pbx.example.com", "sip:\u00e9@pbx.example.com", "sip:a|b@pbx", "http://pbx")
TRICKY_SIP = (
    "sip:+14155550100@pbx.example.com;transport=tls",
    "sip:o'brien@pbx.example.com",
    "sip:a%20b@pbx.example.com",
)
API = "/2010-04-01/Accounts/{AccountSid}"

pytestmark = pytest.mark.usefixtures("contract_clean")


@dataclass(frozen=True)
class Write:
    """A write operation that takes URLs: a valid request without them, and Twilio's codes."""

    product: str
    template: str
    path: Callable[[World], str]
    form: Callable[[World], dict[str, str]]
    codes: dict[str, int]  # URL parameter -> the code Twilio refuses a bad one with
    sip: bool = False

    @property
    def id(self) -> str:
        """A readable test id."""
        return f"{self.product}:{self.template.replace(API, '')}"


def _ipn_codes() -> dict[str, int]:
    urls = ("VoiceUrl", "VoiceFallbackUrl", "SmsUrl", "SmsFallbackUrl", "StatusCallback")
    return dict.fromkeys(urls, 21502)


def _fresh(kind: str, country: str = "US") -> Callable[[World], dict[str, str]]:
    def form(w: World) -> dict[str, str]:
        listing = getattr(w.client.available_phone_numbers(country), kind)
        found: dict[str, str] = {"PhoneNumber": listing.list(limit=1)[0].phone_number}
        if country == "AU":
            found["AddressSid"] = au_address(w)
        return found

    return form


def au_address(w: World) -> str:
    """An Australian address of the world's account (AU numbers need one)."""
    return str(
        w.client.addresses.create(
            customer_name="Url Ltd",
            street="1 George St",
            city="Sydney",
            region="NSW",
            postal_code="2000",
            iso_country="AU",
        ).sid
    )


def _account(w: World) -> str:
    return str(w.client.account_sid)


WRITES: tuple[Write, ...] = (
    Write(
        "api",
        f"{API}/IncomingPhoneNumbers.json",
        lambda w: f"/2010-04-01/Accounts/{_account(w)}/IncomingPhoneNumbers.json",
        _fresh("local"),
        _ipn_codes(),
    ),
    Write(
        "api",
        f"{API}/IncomingPhoneNumbers/Local.json",
        lambda w: f"/2010-04-01/Accounts/{_account(w)}/IncomingPhoneNumbers/Local.json",
        _fresh("local"),
        _ipn_codes(),
    ),
    Write(
        "api",
        f"{API}/IncomingPhoneNumbers/TollFree.json",
        lambda w: f"/2010-04-01/Accounts/{_account(w)}/IncomingPhoneNumbers/TollFree.json",
        _fresh("toll_free"),
        _ipn_codes(),
    ),
    Write(
        "api",
        f"{API}/IncomingPhoneNumbers/Mobile.json",
        lambda w: f"/2010-04-01/Accounts/{_account(w)}/IncomingPhoneNumbers/Mobile.json",
        _fresh("mobile", "AU"),
        _ipn_codes(),
    ),
    Write(
        "api",
        f"{API}/IncomingPhoneNumbers/{{Sid}}.json",
        lambda w: f"/2010-04-01/Accounts/{_account(w)}/IncomingPhoneNumbers/{w.number.sid}.json",
        lambda w: {},
        _ipn_codes(),
    ),
    Write(
        "api",
        f"{API}/Messages.json",
        lambda w: f"/2010-04-01/Accounts/{_account(w)}/Messages.json",
        lambda w: {"To": TO, "From": w.number.phone_number, "Body": "hi"},
        {"StatusCallback": 21609, "MediaUrl": 21620},
    ),
    Write(
        "api",
        f"{API}/Calls.json",
        lambda w: f"/2010-04-01/Accounts/{_account(w)}/Calls.json",
        lambda w: {"To": TO, "From": w.number.phone_number, "Url": f"{HOST}/twiml"},
        {
            "Url": 21205,
            "FallbackUrl": 21502,
            "StatusCallback": 21609,
            "AsyncAmdStatusCallback": 21502,
            "ClientNotificationUrl": 21502,
        },
    ),
    Write(
        "api",
        f"{API}/Calls/{{Sid}}.json",
        lambda w: f"/2010-04-01/Accounts/{_account(w)}/Calls/{w.call.sid}.json",
        lambda w: {},
        {"Url": 21205, "FallbackUrl": 21502, "StatusCallback": 21609},
    ),
    Write(
        "trunking",
        "/v1/Trunks",
        lambda w: "/v1/Trunks",
        lambda w: {"FriendlyName": "url trunk"},
        {"DisasterRecoveryUrl": 21502},
    ),
    Write(
        "trunking",
        "/v1/Trunks/{Sid}",
        lambda w: f"/v1/Trunks/{w.trunk.sid}",
        lambda w: {},
        {"DisasterRecoveryUrl": 21502},
    ),
    Write(
        "trunking",
        "/v1/Trunks/{TrunkSid}/OriginationUrls",
        lambda w: f"/v1/Trunks/{w.trunk.sid}/OriginationUrls",
        lambda w: {
            "Weight": "10",
            "Priority": "10",
            "Enabled": "true",
            "FriendlyName": "pbx",
            "SipUrl": "sip:pbx.example.com",
        },
        {"SipUrl": 20001},
        sip=True,
    ),
    Write(
        "trunking",
        "/v1/Trunks/{TrunkSid}/OriginationUrls/{Sid}",
        lambda w: f"/v1/Trunks/{w.trunk.sid}/OriginationUrls/{w.origination_url.sid}",
        lambda w: {},
        {"SipUrl": 20001},
        sip=True,
    ),
    Write(
        "numbers",
        "/v2/RegulatoryCompliance/Bundles",
        lambda w: "/v2/RegulatoryCompliance/Bundles",
        lambda w: {"FriendlyName": "url bundle", "Email": "ops@example.com"},
        {"StatusCallback": 20001},
    ),
    Write(
        "numbers",
        "/v2/RegulatoryCompliance/Bundles/{Sid}",
        lambda w: f"/v2/RegulatoryCompliance/Bundles/{w.bundle.sid}",
        lambda w: {},
        {"StatusCallback": 20001},
    ),
)


def spec_url_writes() -> dict[tuple[str, str], set[str]]:
    """(product, path template) -> URL parameters of every POST the specs document."""
    found: dict[tuple[str, str], set[str]] = {}
    for product, file in SPEC_FILES.items():
        spec = load_spec(default_oai_dir() / file)
        for template, operations in spec["paths"].items():
            post = operations.get("post")
            if not isinstance(post, dict):
                continue
            content = post.get("requestBody", {}).get("content", {})
            properties = (
                content.get("application/x-www-form-urlencoded", {})
                .get("schema", {})
                .get("properties", {})
            )
            names = {
                name
                for name, schema in properties.items()
                if schema.get("format") == "uri" or schema.get("items", {}).get("format") == "uri"
            }
            if names:
                found[(product, template)] = names
    return found


def served(sandbox: SandboxServer, product: str, template: str) -> bool:
    """Whether the sandbox answers POST on the template (with made-up SIDs in its slots)."""
    router = sandbox.sandbox.routers.get(product)
    if router is None:
        return False
    path = re.sub(r"\{(\w+)\}", lambda m: m.group(1)[:2].upper() + "0" * 32, template)
    try:
        router.resolve("POST", path)
    except TwilioError:
        return False
    return True


@pytest.fixture
def api(sandbox: SandboxServer) -> Iterator[httpx.Client]:
    """Raw HTTP with the main account's credentials: form fields go exactly as given."""
    with httpx.Client(base_url=sandbox.url, auth=(sandbox.account_sid, sandbox.auth_token)) as h:
        yield h


def post(api: httpx.Client, write: Write, path: str, form: dict[str, str]) -> httpx.Response:
    """The write, on the product's host."""
    return api.post(f"/{write.product}{path}", data=form)


def state(control: httpx.Client) -> Any:
    """Everything the sandbox holds."""
    return control.get("/__sandbox/state").json()


def test_every_url_write_of_the_specs_is_covered(sandbox: SandboxServer) -> None:
    """Each POST with URL parameters the sandbox serves is in WRITES, with all its parameters."""
    documented = spec_url_writes()
    serving = {key for key in documented if served(sandbox, *key)}
    covered = {(w.product, w.template) for w in WRITES}
    assert serving == covered, {"not in WRITES": serving - covered, "stale": covered - serving}
    for w in WRITES:
        assert set(w.codes) == documented[(w.product, w.template)], w.id


@pytest.mark.parametrize("write", WRITES, ids=lambda w: w.id)
def test_urls_twilio_refuses_are_refused_and_change_nothing(
    write: Write, twilio_client: Client, api: httpx.Client, sandbox_control: httpx.Client
) -> None:
    """A bad URL in any URL parameter: Twilio's code, and the sandbox is as it was."""
    w = World(twilio_client)
    bad = BAD_SIP if write.sip else BAD_URLS
    base, path = write.form(w), write.path(w)  # refused writes leave both valid
    for param, code in write.codes.items():
        for value in bad:
            before = state(sandbox_control)
            answer = post(api, write, path, {**base, param: value})
            assert (answer.status_code, answer.json().get("code")) == (400, code), (param, value)
            assert state(sandbox_control) == before, f"{param}={value!r} changed the sandbox"


@pytest.mark.parametrize("write", WRITES, ids=lambda w: w.id)
def test_valid_urls_are_kept_exactly(
    write: Write, twilio_client: Client, api: httpx.Client
) -> None:
    """`+`, `%20`, `'`, encoded non-ASCII and sub-delimiters are accepted and shown unchanged."""
    w = World(twilio_client)
    values = TRICKY_SIP if write.sip else tuple(HOST + p for p in TRICKY_PATHS)
    for param in write.codes:
        field = re.sub(r"(?<!^)(?=[A-Z])", "_", param).lower()
        for value in values:
            answer = post(api, write, write.path(w), {**write.form(w), param: value})
            assert answer.status_code in (200, 201), (param, value, answer.text)
            body = answer.json()
            if field in body:  # a resource that shows the URL shows it as given
                assert body[field] == value, (param, value, body[field])


# -- signed webhooks -------------------------------------------------------------------------


@dataclass
class Webhook:
    """How to make the sandbox request a URL parameter: set it, then trigger the request."""

    name: str
    trigger: Callable[[Client, httpx.Client, str, str, str], None]  # client, control, url, method


def _number(client: Client, **wiring: str) -> Any:
    local = client.available_phone_numbers("US").local.list(area_code="415", limit=1)[0]
    return client.incoming_phone_numbers.create(phone_number=local.phone_number, **wiring)


def _inbound(control: httpx.Client, kind: str, to: str) -> dict[str, Any]:
    answer = control.post(
        f"/__sandbox/inbound/{kind}", json={"from": "+12125550199", "to": to, "body": "hi"}
    )
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def _status(control: httpx.Client, call_sid: str) -> None:
    answer = control.post(
        "/__sandbox/inbound/status", json={"call_sid": call_sid, "status": "completed"}
    )
    assert answer.status_code == 200, answer.text


def _voice(c: Client, ctl: httpx.Client, url: str, method: str, base: str) -> None:
    n = _number(c, voice_url=url, voice_method=method)
    _inbound(ctl, "call", n.phone_number)


def _voice_fallback(c: Client, ctl: httpx.Client, url: str, method: str, base: str) -> None:
    n = _number(
        c, voice_url=f"{base}/fail/voice", voice_fallback_url=url, voice_fallback_method=method
    )
    assert _inbound(ctl, "call", n.phone_number)["fallback"]["error_code"] == 11217


def _sms(c: Client, ctl: httpx.Client, url: str, method: str, base: str) -> None:
    n = _number(c, sms_url=url, sms_method=method)
    _inbound(ctl, "sms", n.phone_number)


def _sms_fallback(c: Client, ctl: httpx.Client, url: str, method: str, base: str) -> None:
    n = _number(c, sms_url=f"{base}/fail/sms", sms_fallback_url=url, sms_fallback_method=method)
    assert _inbound(ctl, "sms", n.phone_number)["fallback"]["error_code"] == 11217


def _number_status(c: Client, ctl: httpx.Client, url: str, method: str, base: str) -> None:
    n = _number(c, voice_url=f"{base}/ok", status_callback=url, status_callback_method=method)
    _status(ctl, _inbound(ctl, "call", n.phone_number)["call_sid"])


def _call_status(c: Client, ctl: httpx.Client, url: str, method: str, base: str) -> None:
    n = _number(c)
    call = c.calls.create(
        to=TO,
        from_=n.phone_number,
        url=f"{base}/ok",
        status_callback=url,
        status_callback_method=method,
    )
    _status(ctl, call.sid)


def _updated_call_status(c: Client, ctl: httpx.Client, url: str, method: str, base: str) -> None:
    n = _number(c)
    call = c.calls.create(to=TO, from_=n.phone_number, url=f"{base}/ok")
    c.calls(call.sid).update(status_callback=url, status_callback_method=method)
    _status(ctl, call.sid)


WEBHOOKS = (
    Webhook("VoiceUrl", _voice),
    Webhook("VoiceFallbackUrl", _voice_fallback),
    Webhook("SmsUrl", _sms),
    Webhook("SmsFallbackUrl", _sms_fallback),
    Webhook("IncomingPhoneNumber StatusCallback", _number_status),
    Webhook("Calls StatusCallback", _call_status),
    Webhook("Calls update StatusCallback", _updated_call_status),
)


def test_every_requested_url_is_signed_as_received_for_both_sdks(
    twilio_client: Client,
    sandbox: SandboxServer,
    sandbox_control: httpx.Client,
    webhook_receiver: WebhookReceiver,
    tmp_path: Path,
) -> None:
    """Each URL the sandbox requests, with each trap and method: both validators accept it."""
    webhook_receiver.statuses = {"/fail": 500}
    signed: list[SignedRequest] = []
    for hook in WEBHOOKS:
        for method in ("POST", "GET"):
            for suffix in TRICKY_PATHS:
                url = webhook_receiver.url + suffix
                webhook_receiver.requests.clear()
                sandbox_control.post("/__sandbox/reset")
                hook.trigger(twilio_client, sandbox_control, url, method, webhook_receiver.url)
                received = [r for r in webhook_receiver.requests if "/hook/" in r.url]
                assert len(received) == 1, (hook.name, method, suffix, webhook_receiver.requests)
                signed.append(check_python(hook.name, method, url, received[0], sandbox))
    validate_with_node(signed, tmp_path)


def check_python(
    name: str, method: str, url: str, received: Received, sandbox: SandboxServer
) -> SignedRequest:
    """The request came to the URL as configured and twilio-python accepts its signature."""
    assert received.method == method
    if method == "POST":
        assert received.url == url
    else:
        assert received.url.startswith(url + ("&" if "?" in url else "?"))
    params = received.form if method == "POST" else {}
    signature = received.headers["X-Twilio-Signature"]
    token = sandbox.auth_token
    assert RequestValidator(token).validate(received.url, params, signature), (name, received.url)
    assert not RequestValidator("0" * 32).validate(received.url, params, signature)
    return SignedRequest(
        name=f"{name} {method} {json.dumps(url)}",
        token=token,
        signature=signature,
        url=received.url,
        params=params,
    )
