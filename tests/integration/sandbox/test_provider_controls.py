"""The provider emulators inside the sandbox: their test controls, state, faults, the trunk's
termination checked on outbound calls, and inbound calls routed to the provider's agent."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
import retell
from elevenlabs.client import ElevenLabs
from elevenlabs.types import InboundSipTrunkConfigRequestModel, SipTrunkCredentialsRequestModel
from livekit import api as lk
from livekit.protocol import agent_dispatch as lk_dispatch
from livekit.protocol import room as lk_room
from livekit.protocol import sip as lk_sip

from callplane.sandbox.server import SandboxServer
from tests.integration.sandbox.helpers import Account
from tests.integration.sandbox.provider_helpers import (
    CALLER,
    PROVIDERS,
    SIP_PASSWORD,
    control,
    make_trunk,
    push_password,
    register,
)


def _outbound(sandbox: SandboxServer, provider: str, frm: str, to: str = CALLER) -> dict:
    answer = httpx.post(
        f"{sandbox.url}/__sandbox/providers/{provider}/outbound-call",
        json={"from": frm, "to": to},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def _inbound(sandbox_control: httpx.Client, to: str) -> dict:
    answer = sandbox_control.post("/__sandbox/inbound/call", json={"from": CALLER, "to": to})
    assert answer.status_code == 200, answer.text
    return answer.json()


# -- controls --------------------------------------------------------------------------------


@pytest.mark.parametrize("provider", PROVIDERS)
def test_keys_control_answers_a_key_and_the_sdk_base_url(
    sandbox: SandboxServer, sandbox_control: httpx.Client, provider: str
) -> None:
    first = sandbox_control.post(f"/__sandbox/providers/{provider}/keys")
    second = sandbox_control.post(f"/__sandbox/providers/{provider}/keys")
    assert first.status_code == 201
    key = first.json()
    assert key["base_url"] == f"{sandbox.url}/provider/{provider}"
    assert key["api_key"] and key["api_key"] != second.json()["api_key"]
    if provider == "livekit":
        assert key["url"] == key["base_url"] and len(key["api_secret"]) >= 32
    else:
        assert "api_secret" not in key


def test_keys_control_knows_only_the_four_providers(sandbox_control: httpx.Client) -> None:
    answer = sandbox_control.post("/__sandbox/providers/bland/keys")
    assert answer.status_code == 404 and "bland" in answer.json()["error"]
    assert (
        sandbox_control.post("/__sandbox/providers/bland/agents", json={"name": "x"}).status_code
        == 404
    )


def test_agents_control_names_its_workspace(sandbox_control: httpx.Client) -> None:
    path = "/__sandbox/providers/retell/agents"
    before = sandbox_control.post(path, json={"name": "Support"})
    assert before.status_code == 409 and "keys" in before.json()["error"]
    key = sandbox_control.post("/__sandbox/providers/retell/keys").json()
    only = sandbox_control.post(path, json={"name": "Support"})
    assert only.status_code == 201 and only.json()["agent_id"].startswith("agent_")
    other = sandbox_control.post("/__sandbox/providers/retell/keys").json()
    assert sandbox_control.post(path, json={"name": "Sales"}).status_code == 400
    named = sandbox_control.post(path, json={"name": "Sales", "api_key": other["api_key"]})
    assert named.status_code == 201
    assert (
        sandbox_control.post(path, json={"name": "X", "api_key": "key_unknown"}).status_code == 404
    )
    assert sandbox_control.post(path, json={"api_key": key["api_key"]}).status_code == 400
    client = retell.Retell(api_key=other["api_key"], base_url=other["base_url"], max_retries=0)
    assert [a.agent_id for a in client.agent.list().items] == [named.json()["agent_id"]]


def test_livekit_agent_id_is_the_name_given(sandbox_control: httpx.Client) -> None:
    sandbox_control.post("/__sandbox/providers/livekit/keys")
    answer = sandbox_control.post(
        "/__sandbox/providers/livekit/agents", json={"name": "inbound-agent"}
    )
    assert answer.status_code == 201 and answer.json()["agent_id"] == "inbound-agent"
    again = sandbox_control.post(
        "/__sandbox/providers/livekit/agents", json={"name": "inbound-agent"}
    )
    assert again.status_code == 409


@pytest.mark.parametrize("provider", PROVIDERS)
def test_state_shows_each_registration_and_never_a_secret(
    sandbox: SandboxServer, sandbox_control: httpx.Client, main: Account, provider: str
) -> None:
    trunk = make_trunk(main)
    reg = register(sandbox.url, provider, trunk)
    state = sandbox_control.get("/__sandbox/state")
    registrations = state.json()["providers"][provider]["registrations"]
    assert registrations == [
        {
            "phone_number": trunk.number,
            "agent_id": reg.agent_id,
            "termination_uri": trunk.domain,
            "sip_username": trunk.username,
            "registration_id": reg.ids["registration"],
        }
    ]
    assert SIP_PASSWORD not in state.text and reg.key["api_key"] not in state.text
    assert all(
        state.json()["providers"][other]["registrations"] == []
        for other in PROVIDERS
        if other != provider
    )


def test_reset_forgets_every_provider_workspace(
    sandbox: SandboxServer, sandbox_control: httpx.Client, main: Account
) -> None:
    reg = register(sandbox.url, "retell", make_trunk(main))
    assert sandbox_control.post("/__sandbox/reset").status_code == 200
    assert sandbox_control.get("/__sandbox/state").json()["providers"]["retell"] == {
        "registrations": []
    }
    client = retell.Retell(api_key=reg.key["api_key"], base_url=reg.key["base_url"], max_retries=0)
    with pytest.raises(retell.AuthenticationError):
        client.agent.list()


def test_fault_rules_reach_provider_paths_in_the_provider_error_shape(
    sandbox_control: httpx.Client,
) -> None:
    key = sandbox_control.post("/__sandbox/providers/retell/keys").json()
    client = retell.Retell(api_key=key["api_key"], base_url=key["base_url"], max_retries=0)
    twilio_only = {"method": "POST", "path": "^/api/", "status": 500}
    assert sandbox_control.post("/__sandbox/faults", json=twilio_only).status_code == 201
    rule = {"path": "^/provider/retell/v2/list-agents", "status": 503, "count": 1}
    assert sandbox_control.post("/__sandbox/faults", json=rule).status_code == 201
    with pytest.raises(retell.InternalServerError) as failed:
        client.agent.list()
    assert failed.value.status_code == 503
    assert failed.value.body == {"status": "error", "message": "Injected fault"}
    assert client.agent.list().items == []  # the rule fired its one time; the Twilio rule never
    fired = {
        r["path"]: r["fired"] for r in sandbox_control.get("/__sandbox/faults").json()["faults"]
    }
    assert fired == {"^/api/": 0, "^/provider/retell/v2/list-agents": 1}


def test_fault_rules_answer_livekit_in_twirp_shape(sandbox_control: httpx.Client) -> None:
    key = sandbox_control.post("/__sandbox/providers/livekit/keys").json()
    rule = {"path": "^/provider/livekit/twirp/livekit.SIP/", "status": 503}
    sandbox_control.post("/__sandbox/faults", json=rule)

    async def call() -> None:
        async with lk.LiveKitAPI(key["url"], key["api_key"], key["api_secret"]) as lkapi:
            await lkapi.sip.list_inbound_trunk(lk_sip.ListSIPInboundTrunkRequest())

    with pytest.raises(lk.TwirpError) as failed:
        asyncio.run(call())
    assert (failed.value.code, failed.value.status) == ("unavailable", 503)


# -- outbound: the provider presents its stored credentials to the trunk's termination ------


@pytest.mark.parametrize("provider", PROVIDERS)
def test_outbound_call_authenticates_until_the_password_goes_stale(
    sandbox: SandboxServer, sandbox_control: httpx.Client, main: Account, provider: str
) -> None:
    trunk = make_trunk(main)
    reg = register(sandbox.url, provider, trunk)

    placed = _outbound(sandbox, provider, trunk.number)
    assert placed["status"] == "ok" and placed["sip_status"] == 200, placed
    assert placed["trunk_sid"] == trunk.sid
    calls = sandbox_control.get("/__sandbox/state").json()["calls"]
    assert [(c["sid"], c["direction"], c["from"], c["to"], c["trunk_sid"]) for c in calls] == [
        (placed["call_sid"], "trunking-terminating", trunk.number, CALLER, trunk.sid)
    ]

    trunk.rotate_password("TrunkPassw0rd-Two")  # Twilio's side only: the provider is stale
    stale = _outbound(sandbox, provider, trunk.number)
    assert (stale["status"], stale["sip_status"]) == ("failed", 403), stale
    assert "wrong password" in stale["detail"]

    push_password(reg, trunk, "TrunkPassw0rd-Two")
    assert _outbound(sandbox, provider, trunk.number)["status"] == "ok"


def test_termination_finds_the_trunk_by_its_domain(
    sandbox: SandboxServer, main: Account, subaccount: Account
) -> None:
    trunk = make_trunk(main)
    reg = register(sandbox.url, "retell", trunk)
    client = retell.Retell(api_key=reg.key["api_key"], base_url=reg.key["base_url"], max_retries=0)

    # A localized termination URI of the same trunk works; an unknown domain does not.
    edge = trunk.domain.replace(".pstn.", ".pstn.ashburn.")
    client.phone_number.update(trunk.number, termination_uri=f"sip:{edge};transport=tls")
    assert _outbound(sandbox, "retell", trunk.number)["status"] == "ok"
    client.phone_number.update(trunk.number, termination_uri="nobody.pstn.twilio.com")
    unknown = _outbound(sandbox, "retell", trunk.number)
    assert (unknown["status"], unknown["sip_status"]) == ("failed", 404)
    client.phone_number.update(trunk.number, termination_uri="sip.example.com")
    assert _outbound(sandbox, "retell", trunk.number)["sip_status"] == 404

    # Another account's trunk, with the same username and password, does not take the call:
    # the caller ID is not a number on that trunk.
    foreign = make_trunk(subaccount)
    client.phone_number.update(trunk.number, termination_uri=foreign.domain)
    refused = _outbound(sandbox, "retell", trunk.number)
    assert (refused["status"], refused["sip_status"]) == ("failed", 403)
    assert "caller ID" in refused["detail"]


def test_termination_requires_credentials_from_the_trunks_lists(
    sandbox: SandboxServer, main: Account
) -> None:
    trunk = make_trunk(main)
    reg = register(sandbox.url, "retell", trunk)
    client = retell.Retell(api_key=reg.key["api_key"], base_url=reg.key["base_url"], max_retries=0)

    client.phone_number.update(trunk.number, auth_username="someone-else")
    unknown_user = _outbound(sandbox, "retell", trunk.number)
    assert unknown_user["sip_status"] == 403 and "someone-else" in unknown_user["detail"]
    # Imported without SIP credentials: nothing to answer the trunk's challenge with.
    client.phone_number.delete(trunk.number)
    agents: Any = [{"agent_id": reg.agent_id, "weight": 1}]
    client.phone_number.import_(
        phone_number=trunk.number, termination_uri=trunk.domain, outbound_agents=agents
    )
    assert _outbound(sandbox, "retell", trunk.number)["sip_status"] == 401

    client.phone_number.update(
        trunk.number, auth_username=trunk.username, auth_password=trunk.password
    )
    assert _outbound(sandbox, "retell", trunk.number, to="not a number")["sip_status"] == 484
    main.client.trunking.v1.trunks(trunk.sid).credentials_lists(trunk.credential_list_sid).delete()
    no_list = _outbound(sandbox, "retell", trunk.number)
    assert no_list["sip_status"] == 403 and "has no credential list" in no_list["detail"]


def test_outbound_call_needs_the_number_registered_for_outbound(
    sandbox: SandboxServer, sandbox_control: httpx.Client, main: Account
) -> None:
    trunk = make_trunk(main)
    missing = _outbound(sandbox, "retell", trunk.number)
    assert missing == {
        "status": "failed",
        "sip_status": None,
        "detail": f"{trunk.number} is not registered at retell",
    }
    reg = register(sandbox.url, "retell", trunk)
    client = retell.Retell(api_key=reg.key["api_key"], base_url=reg.key["base_url"], max_retries=0)
    client.phone_number.update(trunk.number, outbound_agents=None)
    no_agent = _outbound(sandbox, "retell", trunk.number)
    assert no_agent["status"] == "failed" and "no outbound agent" in no_agent["detail"]
    bad = sandbox_control.post("/__sandbox/providers/retell/outbound-call", json={"from": 1})
    assert bad.status_code == 400


# -- inbound: a call to a number on a provider's trunk reaches the provider's agent -----------


@pytest.mark.parametrize("provider", PROVIDERS)
def test_inbound_call_reaches_the_registered_agent(
    sandbox: SandboxServer, sandbox_control: httpx.Client, main: Account, provider: str
) -> None:
    trunk = make_trunk(main)
    reg = register(sandbox.url, provider, trunk)
    trunk.originate_to(reg.sip_url)
    answer = _inbound(sandbox_control, trunk.number)
    assert answer["url"] == reg.sip_url and answer["trunk_sid"] == trunk.sid
    assert answer["provider"] == {"name": provider, "agent_id": reg.agent_id}


def test_inbound_call_to_a_non_provider_uri_names_no_provider(
    sandbox_control: httpx.Client, main: Account
) -> None:
    trunk = make_trunk(main)
    trunk.originate_to("sip:pbx.example.com")
    assert "provider" not in _inbound(sandbox_control, trunk.number)


def test_inbound_call_says_why_no_agent_took_it(
    sandbox: SandboxServer, sandbox_control: httpx.Client, main: Account
) -> None:
    unregistered = make_trunk(main)
    unregistered.originate_to("sip:sip.retellai.com")
    assert _inbound(sandbox_control, unregistered.number)["provider"] == {
        "name": "retell",
        "agent_id": None,
        "error": f"{unregistered.number} is not imported at Retell",
    }

    trunk = make_trunk(main)
    reg = register(sandbox.url, "retell", trunk)
    trunk.originate_to(reg.sip_url)
    client = retell.Retell(api_key=reg.key["api_key"], base_url=reg.key["base_url"], max_retries=0)
    client.phone_number.update(trunk.number, inbound_agents=None)
    routed = _inbound(sandbox_control, trunk.number)["provider"]
    assert routed["agent_id"] is None and "without an inbound agent" in routed["error"]

    vapi_trunk = make_trunk(main)
    vapi_trunk.originate_to("sip:00000000-0000-4000-8000-000000000000.sip.vapi.ai")
    routed = _inbound(sandbox_control, vapi_trunk.number)["provider"]
    assert routed["name"] == "vapi" and "not a Vapi SIP trunk credential" in routed["error"]


def test_inbound_livekit_call_needs_a_running_agent_and_a_dispatch_rule(
    sandbox: SandboxServer, sandbox_control: httpx.Client, main: Account
) -> None:
    trunk = make_trunk(main)
    key = control(sandbox.url, "/__sandbox/providers/livekit/keys")
    trunk.originate_to(f"sip:{key['sip_host']}")

    async def setup() -> str:
        async with lk.LiveKitAPI(key["url"], key["api_key"], key["api_secret"]) as lkapi:
            inbound = await lkapi.sip.create_inbound_trunk(
                lk_sip.CreateSIPInboundTrunkRequest(
                    trunk=lk_sip.SIPInboundTrunkInfo(numbers=[trunk.number])
                )
            )
            return inbound.sip_trunk_id

    trunk_id = asyncio.run(setup())
    no_rule = _inbound(sandbox_control, trunk.number)["provider"]
    assert no_rule["agent_id"] is None and "no LiveKit dispatch rule" in no_rule["error"]

    async def dispatch() -> None:
        async with lk.LiveKitAPI(key["url"], key["api_key"], key["api_secret"]) as lkapi:
            await lkapi.sip.create_dispatch_rule(
                lk_sip.CreateSIPDispatchRuleRequest(
                    trunk_ids=[trunk_id],
                    rule=lk_sip.SIPDispatchRule(
                        dispatch_rule_direct=lk_sip.SIPDispatchRuleDirect(room_name="support")
                    ),
                    room_config=lk_room.RoomConfiguration(
                        agents=[lk_dispatch.RoomAgentDispatch(agent_name="night-shift")]
                    ),
                )
            )

    asyncio.run(dispatch())
    not_running = _inbound(sandbox_control, trunk.number)["provider"]
    assert "'night-shift'" in not_running["error"]
    control(sandbox.url, "/__sandbox/providers/livekit/agents", {"name": "night-shift"})
    assert _inbound(sandbox_control, trunk.number)["provider"] == {
        "name": "livekit",
        "agent_id": "night-shift",
    }


def test_inbound_elevenlabs_trunk_with_digest_auth_refuses_twilio(
    sandbox: SandboxServer, sandbox_control: httpx.Client, main: Account
) -> None:
    trunk = make_trunk(main)
    reg = register(sandbox.url, "elevenlabs", trunk)
    trunk.originate_to(reg.sip_url)
    ElevenLabs(
        api_key=reg.key["api_key"], base_url=reg.key["base_url"]
    ).conversational_ai.phone_numbers.update(
        reg.ids["registration"],
        inbound_trunk_config=InboundSipTrunkConfigRequestModel(
            credentials=SipTrunkCredentialsRequestModel(username="in", password="Inbound-Pass-1")
        ),
    )
    routed = _inbound(sandbox_control, trunk.number)["provider"]
    assert routed["agent_id"] is None and "digest authentication" in routed["error"]


async def test_providers_follow_the_sandbox_under_a_mount_prefix() -> None:
    from starlette.applications import Starlette
    from starlette.routing import Mount

    from callplane.sandbox.app import create_sandbox_app

    outer = Starlette(routes=[Mount("/sandbox", app=create_sandbox_app())])
    transport = httpx.ASGITransport(app=outer)
    async with httpx.AsyncClient(transport=transport, base_url="http://cp.test") as http:
        key = (await http.post("/sandbox/__sandbox/providers/retell/keys")).json()
        assert key["base_url"] == "http://cp.test/sandbox/provider/retell"
        agent = (
            await http.post("/sandbox/__sandbox/providers/retell/agents", json={"name": "A"})
        ).json()
        client = retell.AsyncRetell(
            api_key=key["api_key"], base_url=key["base_url"], http_client=http, max_retries=0
        )
        assert (await client.agent.retrieve(agent["agent_id"])).agent_name == "A"
