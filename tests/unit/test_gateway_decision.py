"""The routing decision and its TwiML, for every mode and every refusal (pure, no I/O)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from xml.etree import ElementTree

import pytest

from callplane.gateway import twiml
from callplane.gateway.decision import AgentRoute, NumberRoute, TrunkRoute, decide_sms, decide_voice
from callplane.settings import Settings

SETTINGS = Settings(public_base_url="https://cp.example.com", database_url="sqlite+aiosqlite://")
TENANT = uuid.uuid4()


def agent(**fields: object) -> AgentRoute:
    base: dict[str, object] = {
        "id": uuid.uuid4(),
        "tenant_id": TENANT,
        "name": "Front desk",
        "voice_mode": "stream",
        "stream_url": "wss://ai.example.com/stream",
        "stream_parameters": {"lang": "en"},
        "sip_uri": None,
        "forward_to": None,
        "caller_id": None,
        "whisper": None,
        "greeting": None,
        "record": False,
        "sms_mode": "none",
        "sms_url": None,
        "sms_reply": None,
        "events_url": None,
        "events_secret": None,
    }
    base.update(fields)
    return AgentRoute(**base)  # type: ignore[arg-type]


def route(a: AgentRoute | None = None, **fields: object) -> NumberRoute:
    base: dict[str, object] = {
        "number_id": uuid.uuid4(),
        "tenant_id": TENANT,
        "account_sid": "AC" + "1" * 32,
        "e164": "+14155550100",
        "status": "active",
        "managed": True,
        "tenant_status": "active",
        "subscription_status": "active",
        "agent": a,
        "trunk": None,
    }
    base.update(fields)
    return NumberRoute(**base)  # type: ignore[arg-type]


def xml(text: str) -> ElementTree.Element:
    return ElementTree.fromstring(text.split("?>", 1)[1])


def test_stream_carries_tenant_agent_number_and_custom_parameters() -> None:
    a = agent(
        stream_url="wss://ai.example.com/stream?voice=alloy&tenant_id=spoof",
        stream_parameters={"lang": "en", "agent_id": "spoof", "number": "spoof"},
    )
    d = decide_voice(route(a), settings=SETTINGS, caller="+12125550199")
    assert (d.outcome, d.reason, d.mode) == ("routed", "stream", "stream")
    root = xml(d.twiml)
    stream = root.find("Connect/Stream")
    assert stream is not None
    # Twilio drops a stream URL's query string: it travels as parameters instead.
    assert stream.get("url") == "wss://ai.example.com/stream"
    params = {p.get("name"): p.get("value") for p in stream.findall("Parameter")}
    assert params == {
        "tenant_id": str(TENANT),
        "agent_id": str(a.id),
        "number": "+14155550100",
        "from": "+12125550199",
        "voice": "alloy",
        "lang": "en",
    }


def test_sip_forward_voicemail() -> None:
    d = decide_voice(
        route(agent(voice_mode="sip", sip_uri="sip:bot@sip.example.com")), settings=SETTINGS
    )
    assert d.reason == "sip"
    assert xml(d.twiml).find("Dial/Sip").text == "sip:bot@sip.example.com"  # type: ignore[union-attr]

    a = agent(
        voice_mode="forward",
        forward_to="+14155550111",
        caller_id="+14155550100",
        whisper="Call from callplane",
        record=True,
    )
    d = decide_voice(route(a), settings=SETTINGS)
    dial = xml(d.twiml).find("Dial")
    assert dial is not None and dial.get("callerId") == "+14155550100"
    assert dial.get("record") == "record-from-answer-dual"
    assert dial.get("recordingStatusCallback") == "https://cp.example.com/webhooks/twilio/recording"
    number = dial.find("Number")
    assert number is not None and number.text == "+14155550111"
    assert number.get("url") == f"https://cp.example.com/webhooks/twilio/whisper?agent={a.id}"

    plain = decide_voice(
        route(agent(voice_mode="forward", forward_to="+14155550111")), settings=SETTINGS
    )
    dial = xml(plain.twiml).find("Dial")
    assert dial is not None and dial.get("record") is None and dial.get("callerId") is None
    assert dial.find("Number").get("url") is None  # type: ignore[union-attr]

    d = decide_voice(
        route(agent(voice_mode="voicemail", greeting="Leave it here")), settings=SETTINGS
    )
    root = xml(d.twiml)
    assert [el.tag for el in root] == ["Say", "Record", "Hangup"]
    assert root.find("Say").text == "Leave it here"  # type: ignore[union-attr]
    record = root.find("Record")
    assert record is not None
    assert (
        record.get("recordingStatusCallback") == "https://cp.example.com/webhooks/twilio/recording"
    )
    assert record.get("action") == "https://cp.example.com/webhooks/twilio/recording"


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"tenant_status": "suspended"}, "tenant_suspended"),
        ({"tenant_status": "offboarded"}, "tenant_offboarded"),
        ({"subscription_status": "canceled"}, "subscription_canceled"),
    ],
)
def test_refused_tenants_are_rejected(fields: dict[str, str], reason: str) -> None:
    d = decide_voice(route(agent(), **fields), settings=SETTINGS)
    assert (d.outcome, d.reason) == ("rejected", reason)
    assert [el.tag for el in xml(d.twiml)] == ["Reject"]
    s = decide_sms(route(agent(sms_mode="reply", sms_reply="hi"), **fields))
    assert s.outcome == "rejected" and s.twiml == twiml.empty_messaging()


def test_past_due_and_no_subscription_still_route() -> None:
    for sub in ("past_due", None):
        assert (
            decide_voice(route(agent(), subscription_status=sub), settings=SETTINGS).outcome
            == "routed"
        )


def test_unknown_and_unattached_numbers_are_not_in_service() -> None:
    for d, reason in (
        (decide_voice(None, settings=SETTINGS, to_e164="+14155550100"), "unknown_number"),
        (decide_voice(None, settings=SETTINGS, to_e164=None), "invalid_number"),
        (decide_voice(route(None), settings=SETTINGS), "no_agent"),
    ):
        assert (d.outcome, d.reason) == ("unrouted", reason)
        root = xml(d.twiml)
        assert [el.tag for el in root] == ["Say", "Hangup"]
        assert "not in service" in root.find("Say").text  # type: ignore[union-attr,operator]


def test_trunk_number_dials_the_origination_uri() -> None:
    trunk = TrunkRoute(
        uuid.uuid4(), "TK" + "1" * 32, "cp_abc_x", "cp-abc.pstn.twilio.com", "sip:ai.example.com"
    )
    d = decide_voice(route(agent(), trunk=trunk), settings=SETTINGS)
    assert (d.outcome, d.reason, d.mode) == ("routed", "trunk", "trunk")
    assert "does not call the voice webhook" in d.explanation
    assert xml(d.twiml).find("Dial/Sip").text == "sip:ai.example.com"  # type: ignore[union-attr]
    # Without an origination URI the agent still answers, if there is one.
    bare = replace(trunk, origination_uri=None)
    assert decide_voice(route(agent(), trunk=bare), settings=SETTINGS).reason == "stream"
    assert (
        decide_voice(route(None, trunk=bare), settings=SETTINGS).reason
        == "trunk_without_origination"
    )


def test_sms_modes() -> None:
    hook = decide_sms(route(agent(sms_mode="webhook", sms_url="https://app.example.com/sms")))
    assert (hook.outcome, hook.mode, hook.forward_to_url) == (
        "routed",
        "webhook",
        "https://app.example.com/sms",
    )
    assert hook.twiml == twiml.empty_messaging() and list(xml(hook.twiml)) == []
    reply = decide_sms(route(agent(sms_mode="reply", sms_reply="Thanks & bye <3")))
    message = xml(reply.twiml).find("Message")
    assert message is not None and message.text == "Thanks & bye <3"
    none = decide_sms(route(agent(sms_mode="none")))
    assert none.outcome == "routed" and list(xml(none.twiml)) == []
    assert decide_sms(None, to_e164="+14155550100").reason == "unknown_number"
    assert decide_sms(route(None)).reason == "no_agent"


def test_to_normalisation_is_memoised_but_never_for_big_inputs() -> None:
    from callplane.gateway.intake import _normalized, normalized

    assert normalized("+1 (415) 555-0100") == "+14155550100"
    assert normalized("+14155550100") == "+14155550100"
    before = _normalized.cache_info().currsize
    assert normalized("9" * 5000) is None and normalized("") is None and normalized(None) is None
    assert _normalized.cache_info().currsize == before
