"""Property: whatever paths and parameters a client throws at the sandbox, it never answers 5xx.

Runs in-process (Starlette's TestClient) for speed. Paths come from Twilio's own OpenAPI specs
(every path of the four products the sandbox serves), with path parameters filled by real SIDs
of a small seeded world, random SIDs or junk.
"""

from __future__ import annotations

import base64
import re
import warnings
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callplane.sandbox.app import create_sandbox_app
from tests.fixtures.contract import SPEC_FILES, default_oai_dir, load_spec

with warnings.catch_warnings():
    # Starlette suggests another HTTP package for its TestClient; httpx is what we have.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")

OAI = default_oai_dir()
SPECS = {product: name for product, name in SPEC_FILES.items() if product != "messaging"}
PARAM_NAMES = [
    "FriendlyName",
    "PhoneNumber",
    "AreaCode",
    "VoiceUrl",
    "VoiceMethod",
    "SmsUrl",
    "SmsMethod",
    "StatusCallback",
    "Status",
    "PageSize",
    "Page",
    "PageToken",
    "Contains",
    "SmsEnabled",
    "VoiceEnabled",
    "InRegion",
    "NearLatLong",
    "NearNumber",
    "Distance",
    "DomainName",
    "TrunkSid",
    "AccountSid",
    "BundleSid",
    "AddressSid",
    "To",
    "From",
    "Body",
    "Url",
    "Twiml",
    "Weight",
    "Priority",
    "Enabled",
    "SipUrl",
    "CredentialListSid",
    "PhoneNumberSid",
    "TargetAccountSid",
    "MoveToDraft",
    "IsoCountry",
    "NumberType",
    "EndUserType",
    "Email",
    "Username",
    "Password",
    "CustomerName",
    "Street",
    "City",
    "Region",
    "PostalCode",
    "MediaUrl",
    "EmergencyAddressSid",
    "VoiceApplicationSid",
    "IdentitySid",
    "TransferMode",
    "Secure",
    "RegulationSid",
    "BundleSids",
]


def _templates() -> list[str]:
    out = []
    for product, name in SPECS.items():
        spec = load_spec(OAI / name)
        out.extend(f"/{product}{path}" for path in spec["paths"])
    return out


TEMPLATES = _templates()


@pytest.fixture(scope="module")
def world() -> dict[str, Any]:
    """An in-process sandbox with a few resources of every kind."""
    app = create_sandbox_app()
    client = TestClient(app, raise_server_exceptions=True)
    sid, token = app.state.account_sid, app.state.auth_token
    client.auth = (sid, token)
    api = f"/api/2010-04-01/Accounts/{sid}"
    sub = client.post("/api/2010-04-01/Accounts.json", data={"FriendlyName": "sub"}).json()
    avail = client.get(f"{api}/AvailablePhoneNumbers/US/Local.json").json()
    number = client.post(
        f"{api}/IncomingPhoneNumbers.json",
        data={"PhoneNumber": avail["available_phone_numbers"][0]["phone_number"]},
    ).json()
    trunk = client.post("/trunking/v1/Trunks", data={"FriendlyName": "t"}).json()
    cl = client.post(f"{api}/SIP/CredentialLists.json", data={"FriendlyName": "c"}).json()
    bundle = client.post(
        "/numbers/v2/RegulatoryCompliance/Bundles",
        data={"FriendlyName": "b", "Email": "e@x.io", "IsoCountry": "GB", "NumberType": "local"},
    ).json()
    message = client.post(
        f"{api}/Messages.json", data={"From": "+15005550006", "To": "+14155550123", "Body": "x"}
    ).json()
    sids = [
        sid,
        sub["sid"],
        number["sid"],
        trunk["sid"],
        cl["sid"],
        bundle["sid"],
        message["sid"],
        number["phone_number"],
        "US",
        "GB",
    ]
    return {"client": client, "sid": sid, "token": token, "sids": sids}


def _fill(template: str, data: st.DataObject, world: dict[str, Any]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "AccountSid" and data.draw(st.booleans()):
            return world["sid"]
        return data.draw(
            st.one_of(
                st.sampled_from(world["sids"]),
                st.from_regex(r"\A[A-Z]{2}[0-9a-f]{32}\Z"),
                st.text(
                    alphabet=st.characters(
                        blacklist_categories=("Cs",), blacklist_characters="/?#"
                    ),
                    min_size=1,
                    max_size=12,
                ),
            ),
            label=name,
        )

    return re.sub(r"\{(\w+)\}", lambda m: quote(value(m), safe=""), template)


param_values = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            "true",
            "false",
            "0",
            "-1",
            "1001",
            "99999999999999999999",
            "+15005550006",
            "+14155550123",
            "sip:a@b.c",
            "https://example.com/x",
            "pending-review",
            "twilio-approved",
            "closed",
            "suspended",
            "GB",
            "local",
            "toll-free",
            "PT12",
            "*",
            "+",
            "a,b",
            "AC" + "0" * 32,
            "PN" + "0" * 32,
        ]
    ),
)


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_5xx_for_any_input(world: dict[str, Any], data: st.DataObject) -> None:
    client: TestClient = world["client"]
    path = _fill(data.draw(st.sampled_from(TEMPLATES), label="template"), data, world)
    method = data.draw(st.sampled_from(["GET", "POST", "DELETE", "PUT"]), label="method")
    params = data.draw(
        st.dictionaries(st.sampled_from(PARAM_NAMES), param_values, max_size=6), label="params"
    )
    auth_kind = data.draw(st.sampled_from(["main", "main", "main", "none", "junk"]), label="auth")
    headers = {}
    if auth_kind == "none":
        headers["Authorization"] = ""
    elif auth_kind == "junk":
        junk = data.draw(st.binary(max_size=30))
        headers["Authorization"] = "Basic " + base64.b64encode(junk).decode()
    if method in ("GET", "DELETE"):
        response = client.request(method, path, params=params, headers=headers)
    else:
        response = client.request(method, path, data=params, headers=headers)
    assert response.status_code < 500, (method, path, params, response.text)
    if (
        path.startswith(("/api/", "/trunking/", "/pricing/", "/numbers/"))
        and response.status_code >= 400
    ):
        body = response.json()
        assert set(body) == {"code", "message", "more_info", "status"}, body
        assert body["status"] == response.status_code


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=st.one_of(st.binary(max_size=200), st.text(max_size=200).map(str.encode)))
def test_no_5xx_for_junk_bodies(world: dict[str, Any], body: bytes) -> None:
    client: TestClient = world["client"]
    for path in (
        f"/api/2010-04-01/Accounts/{world['sid']}/IncomingPhoneNumbers.json",
        "/trunking/v1/Trunks",
        "/__sandbox/faults",
        "/__sandbox/inbound/call",
        "/__sandbox/seed",
        "/__sandbox/accounts",
    ):
        response = client.post(
            path, content=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
        )
        assert response.status_code < 500, (path, body, response.text)
    client.delete("/__sandbox/faults")  # junk that happens to be a valid rule must not leak
