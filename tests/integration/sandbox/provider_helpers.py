"""Helpers for the provider scenarios: a tenant's Twilio trunk, and a number registered at each
emulated provider through its official SDK (the way the product registers numbers)."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field
from typing import Any

import httpx
import retell
from elevenlabs.client import ElevenLabs
from elevenlabs.conversational_ai.phone_numbers.types import PhoneNumbersCreateRequestBody_SipTrunk
from elevenlabs.types import OutboundSipTrunkConfigRequestModel, SipTrunkCredentialsRequestModel
from livekit import api as lk
from livekit.protocol import agent_dispatch as lk_dispatch
from livekit.protocol import room as lk_room
from livekit.protocol import sip as lk_sip
from vapi import Vapi
from vapi.phone_numbers.types import CreatePhoneNumbersRequest_ByoPhoneNumber
from vapi.types import (
    CreateByoSipTrunkCredentialDto,
    SipTrunkGateway,
    SipTrunkOutboundAuthenticationPlan,
    UpdateByoSipTrunkCredentialDto,
)

from tests.integration.sandbox.helpers import Account, available

SIP_PASSWORD = "TrunkPassw0rd-One"
CALLER = "+14155550199"
PROVIDERS = ("retell", "elevenlabs", "vapi", "livekit")


@dataclass
class Trunk:
    """A tenant's Elastic SIP trunk in the sandbox: domain, credential list, one number on it."""

    account: Account
    sid: str
    domain: str
    credential_list_sid: str
    credential_sid: str
    username: str
    password: str
    number: str

    def originate_to(self, sip_url: str) -> None:
        """Point the trunk's origination at a SIP URL (a provider's SIP host)."""
        self.account.client.trunking.v1.trunks(self.sid).origination_urls.create(
            weight=10, priority=10, enabled=True, friendly_name="provider", sip_url=sip_url
        )

    def rotate_password(self, password: str) -> None:
        """Change the SIP password on Twilio's side (the provider keeps the old one)."""
        self.account.client.sip.credential_lists(self.credential_list_sid).credentials(
            self.credential_sid
        ).update(password=password)
        self.password = password


def make_trunk(account: Account, username: str = "tenant-a") -> Trunk:
    """A trunk with a unique domain, a credential list holding `username`, and a number."""
    client = account.client
    domain = f"cp-{secrets.token_hex(4)}.pstn.twilio.com"
    trunk = client.trunking.v1.trunks.create(friendly_name="ai", domain_name=domain)
    cl = client.sip.credential_lists.create(friendly_name="ai")
    cred = client.sip.credential_lists(cl.sid).credentials.create(
        username=username, password=SIP_PASSWORD
    )
    client.trunking.v1.trunks(trunk.sid).credentials_lists.create(credential_list_sid=cl.sid)
    number = client.incoming_phone_numbers.create(phone_number=available(client))
    client.trunking.v1.trunks(trunk.sid).phone_numbers.create(phone_number_sid=number.sid)
    return Trunk(
        account=account,
        sid=trunk.sid,
        domain=domain,
        credential_list_sid=cl.sid,
        credential_sid=cred.sid,
        username=username,
        password=SIP_PASSWORD,
        number=number.phone_number,
    )


@dataclass
class Registration:
    """A number registered at a provider: the agent, and what the trunk's origination targets."""

    provider: str
    key: dict[str, Any]
    agent_id: str
    sip_url: str
    ids: dict[str, str] = field(default_factory=dict)


def control(sandbox_url: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """POST a sandbox test control, answering its JSON."""
    answer = httpx.post(f"{sandbox_url}{path}", json=body or {}, timeout=30)
    assert answer.status_code < 300, answer.text
    return answer.json()


def register(
    sandbox_url: str, provider: str, trunk: Trunk, *, agent_name: str = "Support"
) -> Registration:
    """Register the trunk's number at `provider` bound to a new agent, through its SDK."""
    key = control(sandbox_url, f"/__sandbox/providers/{provider}/keys")
    agent = control(
        sandbox_url,
        f"/__sandbox/providers/{provider}/agents",
        {"name": agent_name, "api_key": key["api_key"]},
    )["agent_id"]
    reg = Registration(provider=provider, key=key, agent_id=agent, sip_url="")
    REGISTER[provider](reg, trunk)
    return reg


def _retell(reg: Registration) -> retell.Retell:
    return retell.Retell(api_key=reg.key["api_key"], base_url=reg.key["base_url"], max_retries=0)


def _register_retell(reg: Registration, trunk: Trunk) -> None:
    agents: Any = [{"agent_id": reg.agent_id, "weight": 1}]
    _retell(reg).phone_number.import_(
        phone_number=trunk.number,
        termination_uri=trunk.domain,
        sip_trunk_auth_username=trunk.username,
        sip_trunk_auth_password=trunk.password,
        inbound_agents=agents,
        outbound_agents=agents,
    )
    reg.sip_url = "sip:sip.retellai.com;transport=tcp"
    reg.ids["registration"] = trunk.number


def _elevenlabs(reg: Registration) -> ElevenLabs:
    return ElevenLabs(api_key=reg.key["api_key"], base_url=reg.key["base_url"])


def _outbound_config(trunk: Trunk, password: str) -> OutboundSipTrunkConfigRequestModel:
    return OutboundSipTrunkConfigRequestModel(
        address=trunk.domain,
        transport="tcp",
        credentials=SipTrunkCredentialsRequestModel(username=trunk.username, password=password),
    )


def _register_elevenlabs(reg: Registration, trunk: Trunk) -> None:
    created = _elevenlabs(reg).conversational_ai.phone_numbers.create(
        request=PhoneNumbersCreateRequestBody_SipTrunk(
            phone_number=trunk.number,
            label=f"callplane {trunk.number}",
            agent_id=reg.agent_id,
            outbound_trunk_config=_outbound_config(trunk, trunk.password),
        )
    )
    reg.sip_url = "sip:sip.rtc.elevenlabs.io:5060;transport=tcp"
    reg.ids["registration"] = created.phone_number_id


def _vapi(reg: Registration) -> Vapi:
    return Vapi(token=reg.key["api_key"], base_url=reg.key["base_url"])


def _register_vapi(reg: Registration, trunk: Trunk) -> None:
    client = _vapi(reg)
    dto = CreateByoSipTrunkCredentialDto(
        provider="byo-sip-trunk",  # type: ignore[call-arg]
        gateways=[SipTrunkGateway(ip=trunk.domain)],
        outbound_authentication_plan=SipTrunkOutboundAuthenticationPlan(
            auth_username=trunk.username, auth_password=trunk.password
        ),
    )
    answer = client._client_wrapper.httpx_client.request("credential", method="POST", json=dto)
    assert answer.status_code == 201, answer.text
    credential = answer.json()["id"]
    number = client.phone_numbers.create(
        request=CreatePhoneNumbersRequest_ByoPhoneNumber(
            number=trunk.number, credential_id=credential, assistant_id=reg.agent_id
        )
    )
    reg.sip_url = f"sip:{credential}.sip.vapi.ai"
    reg.ids.update(registration=number.id, credential=credential)


def _livekit(reg: Registration) -> lk.LiveKitAPI:
    return lk.LiveKitAPI(reg.key["url"], reg.key["api_key"], reg.key["api_secret"])


def _register_livekit(reg: Registration, trunk: Trunk) -> None:
    async def go() -> None:
        async with _livekit(reg) as lkapi:
            inbound = await lkapi.sip.create_inbound_trunk(
                lk_sip.CreateSIPInboundTrunkRequest(
                    trunk=lk_sip.SIPInboundTrunkInfo(name="callplane", numbers=[trunk.number])
                )
            )
            outbound = await lkapi.sip.create_outbound_trunk(
                lk_sip.CreateSIPOutboundTrunkRequest(
                    trunk=lk_sip.SIPOutboundTrunkInfo(
                        name="callplane",
                        address=trunk.domain,
                        numbers=[trunk.number],
                        auth_username=trunk.username,
                        auth_password=trunk.password,
                    )
                )
            )
            await lkapi.sip.create_dispatch_rule(
                lk_sip.CreateSIPDispatchRuleRequest(
                    dispatch_rule=lk_sip.SIPDispatchRuleInfo(
                        trunk_ids=[inbound.sip_trunk_id],
                        rule=lk_sip.SIPDispatchRule(
                            dispatch_rule_individual=lk_sip.SIPDispatchRuleIndividual(
                                room_prefix="call-"
                            )
                        ),
                        room_config=lk_room.RoomConfiguration(
                            agents=[lk_dispatch.RoomAgentDispatch(agent_name=reg.agent_id)]
                        ),
                    )
                )
            )
            reg.ids.update(registration=inbound.sip_trunk_id, outbound=outbound.sip_trunk_id)

    asyncio.run(go())
    reg.sip_url = f"sip:{reg.key['sip_host']}"


REGISTER = {
    "retell": _register_retell,
    "elevenlabs": _register_elevenlabs,
    "vapi": _register_vapi,
    "livekit": _register_livekit,
}


def push_password(reg: Registration, trunk: Trunk, password: str) -> None:
    """Give the provider a new SIP password for the trunk's number, through its SDK."""
    if reg.provider == "retell":
        _retell(reg).phone_number.update(
            trunk.number, auth_username=trunk.username, auth_password=password
        )
    elif reg.provider == "elevenlabs":
        _elevenlabs(reg).conversational_ai.phone_numbers.update(
            reg.ids["registration"], outbound_trunk_config=_outbound_config(trunk, password)
        )
    elif reg.provider == "vapi":
        update = UpdateByoSipTrunkCredentialDto(
            provider="byo-sip-trunk",
            outbound_authentication_plan=SipTrunkOutboundAuthenticationPlan(
                auth_username=trunk.username, auth_password=password
            ),
        )
        _vapi(reg)._client_wrapper.httpx_client.request(
            f"credential/{reg.ids['credential']}", method="PATCH", json=update
        ).raise_for_status()
    else:

        async def go() -> None:
            async with _livekit(reg) as lkapi:
                await lkapi.sip.update_outbound_trunk_fields(
                    reg.ids["outbound"], auth_password=password
                )

        asyncio.run(go())
