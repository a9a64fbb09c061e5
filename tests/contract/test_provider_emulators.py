"""The provider emulators driven through the providers' official SDKs, held to the SDKs' models.

Every answer an SDK call gets is validated strictly against the SDK's own response model
(required fields, types, no undeclared keys: tests/contract/provider_models.py), and error paths
surface as the SDK's own exception types with the provider's status code and error shape.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
import retell
from elevenlabs.client import ElevenLabs
from elevenlabs.conversational_ai.phone_numbers.types import (
    PhoneNumbersCreateRequestBody_SipTrunk,
    PhoneNumbersGetResponse_SipTrunk,
    PhoneNumbersListResponseItem_SipTrunk,
    PhoneNumbersUpdateResponse_SipTrunk,
)
from elevenlabs.core.api_error import ApiError as ElevenLabsApiError
from elevenlabs.errors import UnprocessableEntityError as ElevenLabsUnprocessable
from elevenlabs.types import (
    CreatePhoneNumberResponseModel,
    GetAgentResponseModel,
    GetAgentsPageResponseModel,
    InboundSipTrunkConfigRequestModel,
    OutboundSipTrunkConfigRequestModel,
    SipTrunkCredentialsRequestModel,
)
from livekit import api as lk
from livekit.protocol import agent_dispatch as lk_dispatch
from livekit.protocol import room as lk_room
from livekit.protocol import sip as lk_sip
from retell.types import (
    AgentListResponse,
    AgentResponse,
    PhoneNumberListResponse,
    PhoneNumberResponse,
)
from vapi import Vapi
from vapi.core.api_error import ApiError as VapiApiError
from vapi.phone_numbers.types import (
    CreatePhoneNumbersRequest_ByoPhoneNumber,
    CreatePhoneNumbersResponse_ByoPhoneNumber,
    DeletePhoneNumbersResponse_ByoPhoneNumber,
    GetPhoneNumbersResponse_ByoPhoneNumber,
    ListPhoneNumbersResponseItem_ByoPhoneNumber,
    UpdatePhoneNumbersRequestBody_ByoPhoneNumber,
    UpdatePhoneNumbersResponse_ByoPhoneNumber,
)
from vapi.types import (
    Assistant,
    ByoSipTrunkCredential,
    CreateByoSipTrunkCredentialDto,
    SipTrunkGateway,
    SipTrunkOutboundAuthenticationPlan,
    UpdateByoSipTrunkCredentialDto,
)

from callplane.sandbox.server import SandboxServer
from tests.contract.provider_models import Recorder, assert_conforms

NUMBER = "+14155550100"
OTHER = "+14155550101"
TERMINATION = "tenant-a.pstn.twilio.com"


@pytest.fixture
def provider_key(sandbox_control: httpx.Client) -> Callable[[str], dict[str, Any]]:
    """Make a key (a new workspace) at an emulated provider through the test control."""

    def make(name: str) -> dict[str, Any]:
        answer = sandbox_control.post(f"/__sandbox/providers/{name}/keys")
        assert answer.status_code == 201, answer.text
        return answer.json()

    return make


@pytest.fixture
def provider_agent(sandbox_control: httpx.Client) -> Callable[[str, str, str], str]:
    """Make an agent in the workspace of `api_key` through the test control."""

    def make(name: str, api_key: str, agent_name: str = "Support") -> str:
        answer = sandbox_control.post(
            f"/__sandbox/providers/{name}/agents", json={"name": agent_name, "api_key": api_key}
        )
        assert answer.status_code == 201, answer.text
        return str(answer.json()["agent_id"])

    return make


# -- Retell ---------------------------------------------------------------------------------


def _retell(key: dict[str, Any], recorder: Recorder, api_key: str | None = None) -> retell.Retell:
    return retell.Retell(
        api_key=api_key or key["api_key"],
        base_url=key["base_url"],
        http_client=recorder.client(),
        max_retries=0,
    )


def test_retell_agents_and_numbers_fit_the_sdk_models(
    provider_key: Callable[[str], dict[str, Any]], provider_agent: Callable[..., str]
) -> None:
    key = provider_key("retell")
    agent = provider_agent("retell", key["api_key"])
    other_agent = provider_agent("retell", key["api_key"], "Sales")
    rec = Recorder()
    client = _retell(key, rec)

    assert client.agent.retrieve(agent).agent_id == agent
    assert_conforms(AgentResponse, rec.last())
    listed = client.agent.list()
    assert_conforms(AgentListResponse, rec.last())
    assert {a.agent_id for a in listed.items} == {agent, other_agent}

    imported = client.phone_number.import_(
        phone_number=NUMBER,
        termination_uri=TERMINATION,
        sip_trunk_auth_username="tenant-a",
        sip_trunk_auth_password="Secret-Password-1",
        inbound_agents=[{"agent_id": agent, "weight": 1}],
        outbound_agents=[{"agent_id": agent, "weight": 1}],
        nickname="callplane +14155550100",
    )
    assert rec.answers[-1][2] == 201
    assert_conforms(PhoneNumberResponse, rec.last())
    assert imported.sip_outbound_trunk_config is not None
    assert imported.sip_outbound_trunk_config.termination_uri == TERMINATION
    assert imported.sip_outbound_trunk_config.auth_username == "tenant-a"
    assert "Secret-Password-1" not in str(rec.last())

    fetched = client.phone_number.retrieve(NUMBER)
    assert_conforms(PhoneNumberResponse, rec.last())
    assert [a.agent_id for a in fetched.inbound_agents or []] == [agent]

    updated = client.phone_number.update(
        NUMBER,
        inbound_agents=[{"agent_id": other_agent, "weight": 1}],
        outbound_agents=[{"agent_id": other_agent, "weight": 1}],
        termination_uri="tenant-b.pstn.twilio.com",
        auth_username="tenant-b",
        auth_password="Secret-Password-2",
    )
    assert_conforms(PhoneNumberResponse, rec.last())
    assert [a.agent_id for a in updated.inbound_agents or []] == [other_agent]
    assert updated.sip_outbound_trunk_config is not None
    assert updated.sip_outbound_trunk_config.termination_uri == "tenant-b.pstn.twilio.com"

    page = client.phone_number.list()
    assert_conforms(PhoneNumberListResponse, rec.last())
    assert [n.phone_number for n in page.items] == [NUMBER]

    client.phone_number.delete(NUMBER)
    assert rec.answers[-1][2] == 204
    assert client.phone_number.list().items == []


def test_retell_errors_are_the_sdk_exceptions_with_retell_status_codes(
    provider_key: Callable[[str], dict[str, Any]], provider_agent: Callable[..., str]
) -> None:
    key = provider_key("retell")
    other = provider_key("retell")
    agent = provider_agent("retell", key["api_key"])
    rec = Recorder()
    client = _retell(key, rec)

    with pytest.raises(retell.AuthenticationError) as bad_key:
        _retell(key, rec, api_key="key_not_a_real_key").agent.list()
    assert bad_key.value.status_code == 401
    assert bad_key.value.body == {"status": "error", "message": "API key is missing or invalid."}

    with pytest.raises(retell.NotFoundError):
        client.agent.retrieve("agent_unknown")
    with pytest.raises(retell.NotFoundError):
        client.phone_number.import_(
            phone_number=NUMBER,
            termination_uri=TERMINATION,
            inbound_agents=[{"agent_id": "agent_unknown", "weight": 1}],
        )
    with pytest.raises(retell.BadRequestError):
        client.phone_number.import_(
            phone_number=NUMBER,
            termination_uri=TERMINATION,
            inbound_agents=[{"agent_id": agent, "weight": 0.5}],
        )
    with pytest.raises(retell.BadRequestError):
        client.phone_number.import_(phone_number=NUMBER, termination_uri=" ")
    with pytest.raises(retell.BadRequestError):
        client.phone_number.import_(
            phone_number="not-a-number", termination_uri=TERMINATION, ignore_e164_validation=False
        )
    with pytest.raises(retell.BadRequestError):
        client.phone_number.import_(
            phone_number=NUMBER, termination_uri=TERMINATION, extra_body={"inbound_agent": agent}
        )
    # Nothing half-written by the refused imports.
    assert client.phone_number.list().items == []

    client.phone_number.import_(phone_number=NUMBER, termination_uri=TERMINATION)
    with pytest.raises(retell.UnprocessableEntityError):
        client.phone_number.import_(phone_number=NUMBER, termination_uri=TERMINATION)
    with pytest.raises(retell.NotFoundError):
        client.phone_number.retrieve(OTHER)
    with pytest.raises(retell.BadRequestError):
        client.phone_number.update(NUMBER, outbound_agents=[{"agent_id": agent, "weight": 2}])
    assert client.phone_number.retrieve(NUMBER).outbound_agents is None
    # Another workspace's number is unknown, exactly like a number that does not exist.
    with pytest.raises(retell.NotFoundError):
        _retell(other, rec).phone_number.retrieve(NUMBER)
    with pytest.raises(retell.NotFoundError):
        _retell(other, rec).agent.retrieve(agent)
    for _, _, status, body in rec.answers:
        if status >= 400:
            assert set(body) == {"status", "message"} and body["status"] == "error"


# -- ElevenLabs -----------------------------------------------------------------------------


def _elevenlabs(key: dict[str, Any], recorder: Recorder, api_key: str | None = None) -> ElevenLabs:
    return ElevenLabs(
        api_key=api_key or key["api_key"],
        base_url=key["base_url"],
        httpx_client=recorder.client(),
    )


def _sip_trunk_number(agent: str | None, username: str = "tenant-a") -> Any:
    return PhoneNumbersCreateRequestBody_SipTrunk(
        phone_number=NUMBER,
        label="callplane +14155550100",
        agent_id=agent,
        inbound_trunk_config=InboundSipTrunkConfigRequestModel(media_encryption="allowed"),
        outbound_trunk_config=OutboundSipTrunkConfigRequestModel(
            address=TERMINATION,
            transport="tcp",
            credentials=SipTrunkCredentialsRequestModel(
                username=username, password="Secret-Password-1"
            ),
        ),
    )


def test_elevenlabs_agents_and_sip_trunk_numbers_fit_the_sdk_models(
    provider_key: Callable[[str], dict[str, Any]], provider_agent: Callable[..., str]
) -> None:
    key = provider_key("elevenlabs")
    agent = provider_agent("elevenlabs", key["api_key"])
    other_agent = provider_agent("elevenlabs", key["api_key"], "Sales")
    rec = Recorder()
    convai = _elevenlabs(key, rec).conversational_ai

    assert convai.agents.get(agent).agent_id == agent
    assert_conforms(GetAgentResponseModel, rec.last())
    assert {a.agent_id for a in convai.agents.list().agents} == {agent, other_agent}
    assert_conforms(GetAgentsPageResponseModel, rec.last())

    created = convai.phone_numbers.create(request=_sip_trunk_number(agent))
    assert_conforms(CreatePhoneNumberResponseModel, rec.last())
    fetched = convai.phone_numbers.get(created.phone_number_id)
    assert_conforms(PhoneNumbersGetResponse_SipTrunk, rec.last())
    assert isinstance(fetched, PhoneNumbersGetResponse_SipTrunk)
    assert fetched.assigned_agent is not None and fetched.assigned_agent.agent_id == agent
    assert fetched.outbound_trunk is not None
    assert fetched.outbound_trunk.address == TERMINATION
    assert fetched.outbound_trunk.username == "tenant-a"
    assert fetched.outbound_trunk.has_auth_credentials is True
    assert "Secret-Password-1" not in str(rec.last())

    convai.agents.get(agent)
    assert_conforms(GetAgentResponseModel, rec.last())
    assert [n["phone_number_id"] for n in rec.last()["phone_numbers"]] == [created.phone_number_id]

    updated = convai.phone_numbers.update(
        created.phone_number_id,
        agent_id=other_agent,
        outbound_trunk_config=OutboundSipTrunkConfigRequestModel(
            address="tenant-b.pstn.twilio.com",
            credentials=SipTrunkCredentialsRequestModel(username="tenant-b", password="Pw-2"),
        ),
    )
    assert_conforms(PhoneNumbersUpdateResponse_SipTrunk, rec.last())
    assert isinstance(updated, PhoneNumbersUpdateResponse_SipTrunk)
    assert updated.assigned_agent is not None and updated.assigned_agent.agent_id == other_agent
    assert updated.outbound_trunk is not None and updated.outbound_trunk.username == "tenant-b"

    unassigned = convai.phone_numbers.update(created.phone_number_id, agent_id=None)
    assert isinstance(unassigned, PhoneNumbersUpdateResponse_SipTrunk)
    assert unassigned.assigned_agent is None

    listed = convai.phone_numbers.list()
    assert_conforms(list[PhoneNumbersListResponseItem_SipTrunk], rec.last())
    assert [n.phone_number_id for n in listed] == [created.phone_number_id]

    convai.phone_numbers.delete(created.phone_number_id)
    assert rec.answers[-1][2] == 200
    assert convai.phone_numbers.list() == []


def test_elevenlabs_errors_are_the_sdk_exceptions_with_elevenlabs_status_codes(
    provider_key: Callable[[str], dict[str, Any]], provider_agent: Callable[..., str]
) -> None:
    key = provider_key("elevenlabs")
    other = provider_key("elevenlabs")
    agent = provider_agent("elevenlabs", key["api_key"])
    rec = Recorder()
    convai = _elevenlabs(key, rec).conversational_ai

    with pytest.raises(ElevenLabsApiError) as bad_key:
        _elevenlabs(key, rec, api_key="sk_not_a_real_key").conversational_ai.agents.list()
    assert bad_key.value.status_code == 401
    assert bad_key.value.body["detail"]["status"] == "invalid_api_key"

    with pytest.raises(ElevenLabsApiError) as unknown_agent:
        convai.agents.get("agent_unknown")
    assert unknown_agent.value.status_code == 404
    with pytest.raises(ElevenLabsApiError) as unknown_assignment:
        convai.phone_numbers.create(request=_sip_trunk_number("agent_unknown"))
    assert unknown_assignment.value.status_code == 404
    with pytest.raises(ElevenLabsUnprocessable) as no_address:
        convai.phone_numbers.create(
            request=PhoneNumbersCreateRequestBody_SipTrunk(
                phone_number=NUMBER,
                label="x",
                # The SDK would refuse this itself: built unchecked to reach the emulator.
                outbound_trunk_config=OutboundSipTrunkConfigRequestModel.model_construct(
                    transport="tcp"
                ),
            )
        )
    assert no_address.value.status_code == 422
    assert no_address.value.body["detail"][0]["loc"] == ["body", "outbound_trunk_config", "address"]
    assert convai.phone_numbers.list() == []

    created = convai.phone_numbers.create(request=_sip_trunk_number(agent))
    with pytest.raises(ElevenLabsApiError) as duplicate:
        convai.phone_numbers.create(request=_sip_trunk_number(agent))
    assert duplicate.value.status_code == 409
    with pytest.raises(ElevenLabsApiError) as unknown_number:
        convai.phone_numbers.get("phnum_unknown")
    assert unknown_number.value.status_code == 404
    with pytest.raises(ElevenLabsApiError) as foreign:
        _elevenlabs(other, rec).conversational_ai.phone_numbers.get(created.phone_number_id)
    assert foreign.value.status_code == 404


# -- Vapi -----------------------------------------------------------------------------------


def _vapi(key: dict[str, Any], recorder: Recorder, token: str | None = None) -> Vapi:
    return Vapi(
        token=token or key["api_key"], base_url=key["base_url"], httpx_client=recorder.client()
    )


def _credential(client: Vapi, username: str = "tenant-a", password: str = "Secret-1") -> str:
    """POST /credential through the SDK's own HTTP client (the SDK has no credential client)."""
    dto = CreateByoSipTrunkCredentialDto(
        provider="byo-sip-trunk",  # type: ignore[call-arg]
        name="callplane tenant-a",
        gateways=[SipTrunkGateway(ip=TERMINATION)],
        outbound_authentication_plan=SipTrunkOutboundAuthenticationPlan(
            auth_username=username, auth_password=password
        ),
        outbound_leading_plus_enabled=True,
    )
    answer = client._client_wrapper.httpx_client.request("credential", method="POST", json=dto)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def test_vapi_assistants_credentials_and_numbers_fit_the_sdk_models(
    provider_key: Callable[[str], dict[str, Any]], provider_agent: Callable[..., str]
) -> None:
    key = provider_key("vapi")
    assistant = provider_agent("vapi", key["api_key"])
    other_assistant = provider_agent("vapi", key["api_key"], "Sales")
    rec = Recorder()
    client = _vapi(key, rec)
    http = client._client_wrapper.httpx_client

    assert client.assistants.get(assistant).id == assistant
    assert_conforms(Assistant, rec.last())
    assert {a.id for a in client.assistants.list()} == {assistant, other_assistant}
    assert_conforms(list[Assistant], rec.last())

    credential_id = _credential(client)
    credential = assert_conforms(ByoSipTrunkCredential, rec.last())
    assert credential.gateways[0].ip == TERMINATION
    assert credential.outbound_authentication_plan.auth_username == "tenant-a"
    assert credential.outbound_authentication_plan.auth_password is None

    number = client.phone_numbers.create(
        request=CreatePhoneNumbersRequest_ByoPhoneNumber(
            number=NUMBER, credential_id=credential_id, assistant_id=assistant, name="callplane"
        )
    )
    assert rec.answers[-1][2] == 201
    assert_conforms(CreatePhoneNumbersResponse_ByoPhoneNumber, rec.last())
    assert number.provider == "byo-phone-number" and number.assistant_id == assistant

    client.phone_numbers.get(number.id)
    assert_conforms(GetPhoneNumbersResponse_ByoPhoneNumber, rec.last())
    moved = client.phone_numbers.update(
        number.id,
        request=UpdatePhoneNumbersRequestBody_ByoPhoneNumber(assistant_id=other_assistant),
    )
    assert_conforms(UpdatePhoneNumbersResponse_ByoPhoneNumber, rec.last())
    assert moved.assistant_id == other_assistant and moved.credential_id == credential_id
    assert [n.id for n in client.phone_numbers.list()] == [number.id]
    assert_conforms(list[ListPhoneNumbersResponseItem_ByoPhoneNumber], rec.last())

    rotated = UpdateByoSipTrunkCredentialDto(
        provider="byo-sip-trunk",
        outbound_authentication_plan=SipTrunkOutboundAuthenticationPlan(
            auth_username="tenant-a", auth_password="Secret-2"
        ),
    )
    assert (
        http.request(f"credential/{credential_id}", method="PATCH", json=rotated).status_code == 200
    )
    assert_conforms(ByoSipTrunkCredential, rec.last())
    assert http.request(f"credential/{credential_id}", method="GET").status_code == 200
    assert_conforms(ByoSipTrunkCredential, rec.last())
    assert http.request("credential", method="GET").status_code == 200
    assert_conforms(list[ByoSipTrunkCredential], rec.last())

    client.phone_numbers.delete(number.id)
    assert_conforms(DeletePhoneNumbersResponse_ByoPhoneNumber, rec.last())
    assert http.request(f"credential/{credential_id}", method="DELETE").status_code == 200
    assert_conforms(ByoSipTrunkCredential, rec.last())
    assert client.phone_numbers.list() == []


def test_vapi_errors_are_the_sdk_exceptions_with_vapi_status_codes(
    provider_key: Callable[[str], dict[str, Any]], provider_agent: Callable[..., str]
) -> None:
    key = provider_key("vapi")
    other = provider_key("vapi")
    assistant = provider_agent("vapi", key["api_key"])
    rec = Recorder()
    client = _vapi(key, rec)
    http = client._client_wrapper.httpx_client

    with pytest.raises(VapiApiError) as bad_key:
        _vapi(key, rec, token="00000000-0000-4000-8000-000000000000").assistants.list()
    assert bad_key.value.status_code == 401
    assert bad_key.value.body["statusCode"] == 401
    with pytest.raises(VapiApiError) as unknown:
        client.assistants.get("00000000-0000-4000-8000-000000000001")
    assert unknown.value.status_code == 404

    no_gateway = http.request(
        "credential", method="POST", json={"provider": "byo-sip-trunk", "gateways": []}
    )
    assert no_gateway.status_code == 400
    assert isinstance(no_gateway.json()["message"], list)
    credential_id = _credential(client)
    with pytest.raises(VapiApiError) as unknown_assistant:
        client.phone_numbers.create(
            request=CreatePhoneNumbersRequest_ByoPhoneNumber(
                number=NUMBER,
                credential_id=credential_id,
                assistant_id="00000000-0000-4000-8000-000000000001",
            )
        )
    assert unknown_assistant.value.status_code == 404
    with pytest.raises(VapiApiError) as not_e164:
        client.phone_numbers.create(
            request=CreatePhoneNumbersRequest_ByoPhoneNumber(
                number="0415550100", credential_id=credential_id
            )
        )
    assert not_e164.value.status_code == 400
    assert client.phone_numbers.list() == []

    number = client.phone_numbers.create(
        request=CreatePhoneNumbersRequest_ByoPhoneNumber(
            number=NUMBER, credential_id=credential_id, assistant_id=assistant
        )
    )
    in_use = http.request(f"credential/{credential_id}", method="DELETE")
    assert in_use.status_code == 400
    with pytest.raises(VapiApiError) as foreign:
        _vapi(other, rec).phone_numbers.get(number.id)
    assert foreign.value.status_code == 404
    for _, _, status, body in rec.answers:
        if status >= 400:
            assert set(body) == {"message", "error", "statusCode"}


# -- LiveKit --------------------------------------------------------------------------------


def _inbound(number: str = NUMBER) -> lk_sip.CreateSIPInboundTrunkRequest:
    return lk_sip.CreateSIPInboundTrunkRequest(
        trunk=lk_sip.SIPInboundTrunkInfo(name="callplane in", numbers=[number])
    )


def _outbound(number: str = NUMBER) -> lk_sip.CreateSIPOutboundTrunkRequest:
    return lk_sip.CreateSIPOutboundTrunkRequest(
        trunk=lk_sip.SIPOutboundTrunkInfo(
            name="callplane out",
            address=TERMINATION,
            transport=lk_sip.SIP_TRANSPORT_TCP,
            numbers=[number],
            auth_username="tenant-a",
            auth_password="Secret-Password-1",
        )
    )


def _dispatch(trunk_id: str, agent: str) -> lk_sip.CreateSIPDispatchRuleRequest:
    return lk_sip.CreateSIPDispatchRuleRequest(
        dispatch_rule=lk_sip.SIPDispatchRuleInfo(
            name="callplane",
            trunk_ids=[trunk_id],
            rule=lk_sip.SIPDispatchRule(
                dispatch_rule_individual=lk_sip.SIPDispatchRuleIndividual(room_prefix="call-")
            ),
            room_config=lk_room.RoomConfiguration(
                agents=[lk_dispatch.RoomAgentDispatch(agent_name=agent)]
            ),
        )
    )


async def test_livekit_sip_trunks_and_dispatch_rules_through_the_sdk(
    sandbox: SandboxServer, provider_key: Callable[[str], dict[str, Any]]
) -> None:
    key = provider_key("livekit")
    assert key["url"] == key["base_url"] == f"{sandbox.url}/provider/livekit"
    async with lk.LiveKitAPI(key["url"], key["api_key"], key["api_secret"]) as lkapi:
        sip = lkapi.sip
        assert (await sip.list_inbound_trunk(lk_sip.ListSIPInboundTrunkRequest())).items == []
        inbound = await sip.create_inbound_trunk(_inbound())
        assert inbound.sip_trunk_id.startswith("ST_") and list(inbound.numbers) == [NUMBER]
        assert inbound.created_at.seconds > 0
        outbound = await sip.create_outbound_trunk(_outbound())
        assert outbound.address == TERMINATION and outbound.auth_username == "tenant-a"
        assert outbound.auth_password == ""  # stored, never handed back
        rule = await sip.create_dispatch_rule(_dispatch(inbound.sip_trunk_id, "support-agent"))
        assert rule.sip_dispatch_rule_id.startswith("SDR_")
        assert rule.room_config.agents[0].agent_name == "support-agent"

        rotated = await sip.update_outbound_trunk_fields(
            outbound.sip_trunk_id, auth_username="tenant-a2", auth_password="Secret-Password-2"
        )
        assert rotated.auth_username == "tenant-a2" and rotated.address == TERMINATION
        grown = await sip.update_inbound_trunk_fields(
            inbound.sip_trunk_id, numbers=lk.ListUpdate(add=[OTHER])
        )
        assert list(grown.numbers) == [NUMBER, OTHER]
        moved = await sip.update_dispatch_rule(
            rule.sip_dispatch_rule_id,
            lk_sip.SIPDispatchRuleInfo(
                trunk_ids=[inbound.sip_trunk_id],
                rule=rule.rule,
                room_config=lk_room.RoomConfiguration(
                    agents=[lk_dispatch.RoomAgentDispatch(agent_name="sales-agent")]
                ),
            ),
        )
        assert moved.sip_dispatch_rule_id == rule.sip_dispatch_rule_id
        assert moved.room_config.agents[0].agent_name == "sales-agent"

        listed = await sip.list_outbound_trunk(lk_sip.ListSIPOutboundTrunkRequest(numbers=[NUMBER]))
        assert [t.sip_trunk_id for t in listed.items] == [outbound.sip_trunk_id]
        rules = await sip.list_dispatch_rule(
            lk_sip.ListSIPDispatchRuleRequest(trunk_ids=[inbound.sip_trunk_id])
        )
        assert [r.sip_dispatch_rule_id for r in rules.items] == [rule.sip_dispatch_rule_id]

        deleted = await sip.delete_dispatch_rule(
            lk_sip.DeleteSIPDispatchRuleRequest(sip_dispatch_rule_id=rule.sip_dispatch_rule_id)
        )
        assert deleted.sip_dispatch_rule_id == rule.sip_dispatch_rule_id
        for trunk_id in (inbound.sip_trunk_id, outbound.sip_trunk_id):
            gone = await sip.delete_trunk(lk_sip.DeleteSIPTrunkRequest(sip_trunk_id=trunk_id))
            assert gone.sip_trunk_id == trunk_id
        assert (await sip.list_outbound_trunk(lk_sip.ListSIPOutboundTrunkRequest())).items == []


async def test_livekit_errors_are_twirp_errors_with_livekit_codes(
    sandbox: SandboxServer, provider_key: Callable[[str], dict[str, Any]]
) -> None:
    key = provider_key("livekit")
    other = provider_key("livekit")
    url = key["url"]
    wrong_secret = "x" * 43
    async with lk.LiveKitAPI(url, key["api_key"], wrong_secret) as bad:
        with pytest.raises(lk.TwirpError) as unauthenticated:
            await bad.sip.list_inbound_trunk(lk_sip.ListSIPInboundTrunkRequest())
    assert (unauthenticated.value.code, unauthenticated.value.status) == ("unauthenticated", 401)

    no_sip_grant = (
        lk.AccessToken(key["api_key"], key["api_secret"])
        .with_identity("caller")
        .with_grants(lk.VideoGrants(room_join=True, room="r"))
        .to_jwt()
    )
    async with lk.LiveKitAPI(url, token=no_sip_grant) as room_only:
        with pytest.raises(lk.TwirpError) as denied:
            await room_only.sip.list_inbound_trunk(lk_sip.ListSIPInboundTrunkRequest())
    assert (denied.value.code, denied.value.status) == ("permission_denied", 403)

    async with lk.LiveKitAPI(url, key["api_key"], key["api_secret"]) as lkapi:
        sip = lkapi.sip
        with pytest.raises(lk.TwirpError) as unknown:
            await sip.delete_trunk(lk_sip.DeleteSIPTrunkRequest(sip_trunk_id="ST_unknown"))
        assert (unknown.value.code, unknown.value.status) == ("not_found", 404)
        no_numbers = _outbound()
        del no_numbers.trunk.numbers[:]
        with pytest.raises(lk.TwirpError) as invalid:
            await sip.create_outbound_trunk(no_numbers)
        assert (invalid.value.code, invalid.value.status) == ("invalid_argument", 400)
        with pytest.raises(lk.TwirpError) as unknown_trunk:
            await sip.create_dispatch_rule(_dispatch("ST_unknown", "support-agent"))
        assert unknown_trunk.value.code == "invalid_argument"

        inbound = await sip.create_inbound_trunk(_inbound())
        with pytest.raises(lk.TwirpError) as conflict:
            await sip.create_inbound_trunk(_inbound())
        assert conflict.value.code == "invalid_argument"
        await sip.create_dispatch_rule(_dispatch(inbound.sip_trunk_id, "support-agent"))
        with pytest.raises(lk.TwirpError) as rule_conflict:
            await sip.create_dispatch_rule(_dispatch(inbound.sip_trunk_id, "sales-agent"))
        assert rule_conflict.value.code == "invalid_argument"
        assert len((await sip.list_inbound_trunk(lk_sip.ListSIPInboundTrunkRequest())).items) == 1
        assert len((await sip.list_dispatch_rule(lk_sip.ListSIPDispatchRuleRequest())).items) == 1

    # Another project's key sees none of it.
    async with lk.LiveKitAPI(url, other["api_key"], other["api_secret"]) as foreign:
        assert (
            await foreign.sip.list_inbound_trunk(lk_sip.ListSIPInboundTrunkRequest())
        ).items == []
        with pytest.raises(lk.TwirpError) as foreign_delete:
            await foreign.sip.delete_trunk(
                lk_sip.DeleteSIPTrunkRequest(sip_trunk_id=inbound.sip_trunk_id)
            )
        assert foreign_delete.value.code == "not_found"


async def test_livekit_answers_twirp_json_when_asked_in_json(
    sandbox: SandboxServer, provider_key: Callable[[str], dict[str, Any]]
) -> None:
    key = provider_key("livekit")
    token = (
        lk.AccessToken(key["api_key"], key["api_secret"])
        .with_grants(lk.VideoGrants())
        .with_sip_grants(lk.SIPGrants(admin=True))
        .to_jwt()
    )
    async with httpx.AsyncClient(base_url=key["url"], timeout=30) as http:
        answer = await http.post(
            "/twirp/livekit.SIP/CreateSIPOutboundTrunk",
            json={"trunk": {"address": TERMINATION, "numbers": [NUMBER]}},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["address"] == TERMINATION
        bad_route = await http.post(
            "/twirp/livekit.SIP/NoSuchMethod", json={}, headers={"Authorization": f"Bearer {token}"}
        )
        assert bad_route.status_code == 404 and bad_route.json()["code"] == "bad_route"
