"""Bad input gets Twilio's own error bodies and codes, never a 5xx."""

from __future__ import annotations

import pytest

from callplane.sandbox.server import SandboxServer
from tests.integration.sandbox.helpers import Account, raw

API = "/api/2010-04-01"


def _error_shape(body: dict, status: int, code: int) -> None:  # type: ignore[type-arg]
    assert set(body) == {"code", "message", "more_info", "status"}
    assert body["code"] == code and body["status"] == status
    assert body["more_info"] == f"https://www.twilio.com/docs/errors/{code}"
    assert isinstance(body["message"], str) and body["message"]


@pytest.mark.parametrize(
    "path",
    [
        "/Accounts/{sid}/IncomingPhoneNumbers/PN00000000000000000000000000000000.json",
        "/Accounts/{sid}/IncomingPhoneNumbers/garbage.json",
        "/Accounts/{sid}/Messages/SM%20bad.json",
        "/Accounts/{sid}/Calls/CA.json",
        "/Accounts/{sid}/SIP/CredentialLists/CLnope.json",
        "/Accounts/{sid}/Addresses/AD0.json",
        "/Accounts/{sid}/NoSuchThing.json",
        "/Accounts/ACnot-a-sid.json",
        "/Accounts/AC00000000000000000000000000000000.json",
    ],
)
def test_unknown_and_malformed_sids_are_20404(
    sandbox: SandboxServer, main: Account, path: str
) -> None:
    with raw(sandbox, main.sid, main.token) as http:
        answer = http.get(API + path.format(sid=main.sid))
    assert answer.status_code == 404
    _error_shape(answer.json(), 404, 20404)


@pytest.mark.parametrize(
    "path",
    [
        "/trunking/v1/Trunks/TK00000000000000000000000000000000",
        "/trunking/v1/Trunks/nope/PhoneNumbers",
        "/numbers/v2/RegulatoryCompliance/Bundles/BUxyz",
        "/pricing/v1/PhoneNumbers/Countries/QQ",
        "/unknownproduct/v1/Things",
        "/trunking/v9/Trunks",
    ],
)
def test_unknown_v1_resources_are_20404(sandbox: SandboxServer, main: Account, path: str) -> None:
    with raw(sandbox, main.sid, main.token) as http:
        answer = http.get(path)
    assert answer.status_code == 404
    _error_shape(answer.json(), 404, 20404)


def test_error_message_names_the_path(sandbox: SandboxServer, main: Account) -> None:
    path = f"/2010-04-01/Accounts/{main.sid}/IncomingPhoneNumbers/PN{'0' * 32}.json"
    with raw(sandbox, main.sid, main.token) as http:
        body = http.get(f"/api{path}").json()
    assert body["message"] == f"The requested resource {path} was not found"


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("/trunking/v1/Trunks/{trunk}/OriginationUrls", {"SipUrl": "sip:a@b.c"}),
        ("/trunking/v1/Trunks/{trunk}/PhoneNumbers", {}),
        ("/trunking/v1/Trunks/{trunk}/CredentialLists", {}),
        ("/numbers/v2/RegulatoryCompliance/Bundles", {"FriendlyName": "x"}),
        ("/api/2010-04-01/Accounts/{sid}/Addresses.json", {"CustomerName": "x"}),
    ],
)
def test_missing_required_params_are_400(
    sandbox: SandboxServer, main: Account, path: str, form: dict[str, str]
) -> None:
    trunk = main.client.trunking.v1.trunks.create(friendly_name="t")
    with raw(sandbox, main.sid, main.token) as http:
        answer = http.post(path.format(sid=main.sid, trunk=trunk.sid), data=form)
    assert answer.status_code == 400
    _error_shape(answer.json(), 400, 20001)


def test_method_not_allowed(sandbox: SandboxServer, main: Account) -> None:
    with raw(sandbox, main.sid, main.token) as http:
        answer = http.put(f"{API}/Accounts/{main.sid}.json")
    assert answer.status_code == 405
    _error_shape(answer.json(), 405, 20004)


def test_bad_basic_auth_headers(sandbox: SandboxServer) -> None:
    import httpx

    for header in ("Basic !!!", "Bearer x", "Basic " + "YQ==", ""):
        answer = httpx.get(f"{sandbox.url}/trunking/v1/Trunks", headers={"Authorization": header})
        assert answer.status_code == 401
        _error_shape(answer.json(), 401, 20003)


def test_bad_paging_params(sandbox: SandboxServer, main: Account) -> None:
    with raw(sandbox, main.sid, main.token) as http:
        for params in (
            {"PageSize": "abc"},
            {"PageSize": "0"},
            {"Page": "-1"},
            {"PageToken": "zzz"},
        ):
            answer = http.get("/trunking/v1/Trunks", params=params)
            assert answer.status_code == 400, params
            _error_shape(answer.json(), 400, 20001)
        answer = http.get("/trunking/v1/Trunks", params={"PageSize": "5000"})
        _error_shape(answer.json(), 400, 20007)
