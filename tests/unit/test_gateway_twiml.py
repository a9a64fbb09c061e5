"""Remembered TwiML answers are exactly what the SDK's builders write for every call."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from twilio.twiml.voice_response import VoiceResponse

from callplane.gateway import twiml


def sdk_stream(url: str, parameters: list[tuple[str, str]]) -> str:
    response = VoiceResponse()
    element = response.connect().stream(url=url)
    for name, value in parameters:
        element.parameter(name=name, value=value)
    return str(response)


RESERVED = [
    ("tenant_id", "0b0e8c9e-6a55-4c6e-9a0f-0f4f1c2a3b4d"),
    ("agent_id", "5d1f6d0a-2f9b-4a47-bd1c-6a7c6c3e9f10"),
    ("number", "+14155550100"),
]
# Any text a caller field can carry: markup, quotes, entities, control characters, non-ASCII.
callers = st.one_of(
    st.sampled_from(["+14155550123", "anonymous", "client:alice", 'a"b<c>&d', "x\r\ny\tz", "Zoë"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40),
)
custom = st.lists(st.tuples(st.text(min_size=1, max_size=12), st.text(max_size=20)), max_size=3)


@settings(max_examples=300, deadline=None)
@given(caller=callers, extra=custom)
def test_stream_answer_equals_the_sdks_for_any_caller(
    caller: str, extra: list[tuple[str, str]]
) -> None:
    extra = [(k, v) for k, v in extra if k != twiml.CALLER_PARAMETER]
    params = RESERVED + [("from", caller)] + extra
    url = "wss://agent.example.com/stream"
    assert twiml.stream(url, params) == sdk_stream(url, params)
    # The second call is served from the remembered template: still the same bytes.
    assert twiml.stream(url, params) == sdk_stream(url, params)


def test_two_callers_of_one_stream_get_their_own_from() -> None:
    url = "wss://agent.example.com/stream"
    first = twiml.stream(url, RESERVED + [("from", "+14155550001")])
    second = twiml.stream(url, RESERVED + [("from", "+14155550002")])
    assert 'value="+14155550001"' in first and "+14155550002" not in first
    assert 'value="+14155550002"' in second and "+14155550001" not in second


def test_stream_without_a_caller_or_with_two_is_built_whole() -> None:
    url = "wss://agent.example.com/stream"
    assert twiml.stream(url, RESERVED) == sdk_stream(url, RESERVED)
    doubled = RESERVED + [("from", "+1"), ("from", "+2")]
    assert twiml.stream(url, doubled) == sdk_stream(url, doubled)
    assert twiml.stream(url, dict(RESERVED)) == sdk_stream(url, RESERVED)


def test_remembered_answers_are_the_sdks_for_their_own_arguments() -> None:
    def forward(record: bool) -> str:
        return twiml.forward(
            "+14155550100",
            caller_id="+14155550199",
            whisper_url="https://x.test/w?agent=1",
            record=record,
            recording_callback="https://x.test/r",
        )

    recorded = VoiceResponse()
    recorded.dial(
        caller_id="+14155550199",
        answer_on_bridge=True,
        record=twiml.FORWARD_RECORDING,
        recording_status_callback="https://x.test/r",
    ).number("+14155550100", url="https://x.test/w?agent=1", method="POST")
    first = forward(True)
    again = forward(True)
    assert first == again == str(recorded) and "<Dial" in first
    # Another argument is another answer, not the remembered one.
    assert "record=" not in forward(False)
    for uri in ("sip:a@b.test", "sip:c@d.test"):
        expected = VoiceResponse()
        expected.dial(answer_on_bridge=True).sip(uri)
        assert twiml.sip(uri) == twiml.sip(uri) == str(expected)
    spoken = VoiceResponse()
    spoken.say(twiml.NOT_IN_SERVICE)
    spoken.hangup()
    assert twiml.not_in_service() == twiml.not_in_service() == str(spoken)


@settings(max_examples=200, deadline=None)
@given(caller=callers, number=callers)
def test_stream_answer_equals_the_sdks_for_any_caller_and_number(caller: str, number: str) -> None:
    params = [*RESERVED[:2], ("number", number), ("from", caller), ("lang", "en")]
    url = "wss://agent.example.com/numbers"
    assert twiml.stream(url, params) == sdk_stream(url, params)


def test_numbers_of_one_agent_share_one_template() -> None:
    url = "wss://agent.example.com/many"
    twiml.stream(url, [*RESERVED[:2], ("number", "+14155550100"), ("from", "+1")])
    built = twiml._stream.cache_info().misses
    for i in range(50):
        number, caller = f"+1415555{i:04d}", f"+1212555{i:04d}"
        answer = twiml.stream(url, [*RESERVED[:2], ("number", number), ("from", caller)])
        assert f'name="number" value="{number}"' in answer
        assert f'name="from" value="{caller}"' in answer
    assert twiml._stream.cache_info().misses == built
