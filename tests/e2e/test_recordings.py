"""Recording where it was silently dropped (issue 15): a streamed call with `record: true` is
recorded (`<Start><Recording>`), and the recording callbacks feed `GET .../recordings`."""

from __future__ import annotations

from xml.etree import ElementTree

from tests.fixtures.gateway import STREAM, GatewayKit


def xml(text: str) -> ElementTree.Element:
    return ElementTree.fromstring(text.split("?>", 1)[1] if text.startswith("<?xml") else text)


async def test_a_streamed_call_is_recorded_and_listed(gw: GatewayKit) -> None:
    tenant, account = await gw.tenant("subaccount")
    agent_id, _ = await gw.agent(tenant, voice={**STREAM, "record": True})
    held = await gw.buy(tenant, agent_id)

    answer = await gw.inbound_call(held.e164)
    root = xml(answer["twiml"])
    assert [child.tag for child in root] == ["Start", "Connect"]
    recording = root.find("Start/Recording")
    assert recording is not None
    assert recording.get("recordingStatusCallback") == f"{gw.public_base}/webhooks/twilio/recording"
    assert root.find("Connect/Stream") is not None

    ended = await gw.inbound_status(answer["call_sid"], "completed")
    (sent,) = ended["recordings"]
    assert sent["status"] == 200 and sent["sid"].startswith("RE")

    r = await gw.api.client.get(
        f"/v1/tenants/{tenant.id}/recordings", headers=tenant.headers("member")
    )
    assert r.status_code == 200, r.text
    (listed,) = r.json()["data"]
    assert listed["call_sid"] == answer["call_sid"] and listed["recording_sid"] == sent["sid"]
    assert listed["phone_number"] == held.e164 and listed["number_id"] == str(held.id)
    assert isinstance(listed["duration_s"], int) and listed["status"] == "completed"
    assert listed["url"] == sent["recording_url"]
    assert listed["url"].startswith(f"https://api.twilio.com/2010-04-01/Accounts/{account}/")
    assert r.json()["next_cursor"] is None
    # One call's recordings, by its SID.
    r = await gw.api.client.get(
        f"/v1/tenants/{tenant.id}/recordings",
        params={"call_sid": answer["call_sid"]},
        headers=tenant.headers(),
    )
    assert [x["id"] for x in r.json()["data"]] == [listed["id"]]

    # Another tenant sees none of it; its key on this tenant's path is a 404.
    other, _ = await gw.tenant("master")
    r = await gw.api.client.get(f"/v1/tenants/{other.id}/recordings", headers=other.headers())
    assert r.json()["data"] == []
    r = await gw.api.client.get(f"/v1/tenants/{tenant.id}/recordings", headers=other.headers())
    assert r.status_code == 404


async def test_without_record_nothing_is_recorded(gw: GatewayKit) -> None:
    tenant, _ = await gw.tenant("master")
    agent_id, _ = await gw.agent(tenant)
    held = await gw.buy(tenant, agent_id)
    answer = await gw.inbound_call(held.e164)
    assert xml(answer["twiml"]).find("Start") is None
    ended = await gw.inbound_status(answer["call_sid"], "completed")
    assert "recordings" not in ended


async def test_a_recording_callback_is_kept_once_without_credentials(gw: GatewayKit) -> None:
    tenant, _ = await gw.tenant("master")
    agent_id, _ = await gw.agent(tenant, voice={**STREAM, "record": True})
    held = await gw.buy(tenant, agent_id)
    call = gw.call_params(gw.platform_sid, held.e164)
    r = await gw.post("voice", call)
    assert r.status_code == 200
    recording = {
        "AccountSid": gw.platform_sid,
        "CallSid": call["CallSid"],
        "RecordingSid": "RE" + "a" * 32,
        "RecordingUrl": f"https://{gw.platform_sid}:secret@api.twilio.com/2010-04-01/Recordings/RE1",
        "RecordingStatus": "in-progress",
    }
    assert (await gw.post("recording", recording)).status_code == 200
    done = {**recording, "RecordingStatus": "completed", "RecordingDuration": "42"}
    for _ in range(2):  # Twilio may send it again
        assert (await gw.post("recording", done)).status_code == 200
    r = await gw.api.client.get(f"/v1/tenants/{tenant.id}/recordings", headers=tenant.headers())
    (listed,) = r.json()["data"]
    assert listed["status"] == "completed" and listed["duration_s"] == 42
    assert listed["url"] == "https://api.twilio.com/2010-04-01/Recordings/RE1"
    assert "secret" not in r.text


async def test_recordings_list_refuses_bad_input(gw: GatewayKit) -> None:
    tenant, _ = await gw.tenant("master")
    url = f"/v1/tenants/{tenant.id}/recordings"
    for params in ({"call_sid": "nope"}, {"limit": 0}, {"limit": 1000}):
        r = await gw.api.client.get(url, params=params, headers=tenant.headers())
        assert r.status_code == 422, (params, r.text)
    r = await gw.api.client.get(url, params={"cursor": "!!"}, headers=tenant.headers())
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_cursor"


async def test_numbers_on_the_trunk_are_recorded_by_the_trunk(gw: GatewayKit) -> None:
    """Twilio never asks the voice webhook for them: the trunk's recording setting records."""
    tenant, _ = await gw.tenant("byo")
    agent_id, _ = await gw.agent(tenant, voice={**STREAM, "record": True})
    held = await gw.buy(tenant, agent_id)
    api = gw.api
    r = await api.client.put(
        f"/v1/tenants/{tenant.id}/trunk",
        json={"origination_sip_uri": "sip:agent.voice-ai.example"},
        headers=tenant.headers(),
    )
    assert r.status_code in (200, 201), r.text
    trunk_sid = r.json()["sid"]

    async def mode() -> str:
        trunk = next(t for t in (await gw.numbers.state())["trunks"] if t["sid"] == trunk_sid)
        return str(trunk["recording"]["mode"])

    assert await mode() == "do-not-record"
    numbers_url = f"/v1/tenants/{tenant.id}/trunk/phone-numbers/{held.id}"
    assert (await api.client.put(numbers_url, headers=tenant.headers())).status_code == 200
    assert await mode() == "record-from-answer-dual"
    # The agent stops recording: so does the trunk; and again when it records again.
    await gw.update_agent(tenant, agent_id, voice={**STREAM, "record": False})
    assert await mode() == "do-not-record"
    await gw.update_agent(tenant, agent_id, voice={**STREAM, "record": True})
    assert await mode() == "record-from-answer-dual"
    # The number leaves the trunk (or its agent): nothing on the trunk records any more.
    r = await api.client.patch(
        f"/v1/tenants/{tenant.id}/phone-numbers/{held.id}",
        json={"agent_id": None},
        headers=tenant.headers(),
    )
    assert r.status_code == 200 and await mode() == "do-not-record"
