"""TwiML answers, built only with the SDK's `VoiceResponse` and `MessagingResponse`.

Every answer is a pure function of its arguments and the SDK's builders and serialisation cost
tens of microseconds (most of a webhook's own work), so answers are remembered (`lru_cache`). A
stream answer differs per call only by the caller and the called number: it is built once per
stream (per agent, not per number: 100,000 numbers of a few agents share a few templates) with
markers in their places, and each marker is replaced by its value escaped as ElementTree escapes
an attribute (a property test holds it equal to building the whole answer with the SDK).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from functools import lru_cache
from urllib.parse import parse_qsl, urlsplit, urlunsplit
from xml.etree.ElementTree import _escape_attrib  # type: ignore[attr-defined]

from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import VoiceResponse

NOT_IN_SERVICE = "The number you have called is not in service. Goodbye."
DEFAULT_GREETING = "Please leave a message after the tone."
VOICEMAIL_MAX_SECONDS = 120
CALLER_PARAMETER = "from"
# Letters, digits and dashes: ElementTree writes it as is. Random per process, so no value an
# agent configures can contain it.
_CALLER_MARK = "callplane-caller-" + secrets.token_hex(16)
_NUMBER_MARK = "callplane-number-" + secrets.token_hex(16)
_MARKS = {CALLER_PARAMETER: _CALLER_MARK, "number": _NUMBER_MARK}
CACHED_ANSWERS = 4096
# A forwarded call's recording covers both legs, each on its own channel.
FORWARD_RECORDING = "record-from-answer-dual"


@lru_cache(maxsize=1)
def not_in_service() -> str:
    """A spoken "not in service", then hang up (unknown number, nothing to route to)."""
    response = VoiceResponse()
    response.say(NOT_IN_SERVICE)
    response.hangup()
    return str(response)


@lru_cache(maxsize=CACHED_ANSWERS)
def say_and_hang_up(text: str) -> str:
    """A spoken message, then hang up (an agent's fallback apology)."""
    response = VoiceResponse()
    response.say(text)
    response.hangup()
    return str(response)


@lru_cache(maxsize=1)
def reject() -> str:
    """Refuse the call before it is answered (suspended tenant, canceled subscription)."""
    response = VoiceResponse()
    response.reject(reason="rejected")
    return str(response)


@lru_cache(maxsize=1)
def empty_voice() -> str:
    """An empty voice answer (status and recording callbacks ignore the body)."""
    return str(VoiceResponse())


@lru_cache(maxsize=1)
def hangup() -> str:
    """Hang up (what a `<Record action>` request gets once the message is left)."""
    response = VoiceResponse()
    response.hangup()
    return str(response)


@lru_cache(maxsize=CACHED_ANSWERS)
def split_stream_url(url: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The stream URL without its query string, and that query as parameters.

    Twilio drops a `<Stream url>`'s query string, so whatever the agent put there travels as
    `<Parameter>`s instead.
    """
    parts = urlsplit(url)
    query = tuple(parse_qsl(parts.query, keep_blank_values=True))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")), query


def stream(
    url: str,
    parameters: Mapping[str, str] | list[tuple[str, str]],
    *,
    recording_callback: str | None = None,
) -> str:
    """`<Connect><Stream url>` with `<Parameter>`s (the stream's "start" message carries them);
    with `recording_callback`, `<Start><Recording>` first: Twilio records the call while it is
    streamed (a `<Connect>`ed call is never `<Record>`ed) and reports it there."""
    items = tuple(parameters.items() if isinstance(parameters, Mapping) else parameters)
    # The caller and the called number change from call to call: the template is the agent's
    # (one per stream, however many numbers it answers), each marked value put in per call.
    names = [name for name, _ in items]
    marked = tuple(
        (name, _MARKS[name]) if name in _MARKS and names.count(name) == 1 else (name, value)
        for name, value in items
    )
    answer = _stream(url, marked, recording_callback)
    for (name, value), (_, mark) in zip(items, marked, strict=True):
        if mark is not value:
            answer = answer.replace(mark, _escape_attrib(value), 1)
    return answer


@lru_cache(maxsize=CACHED_ANSWERS)
def _stream(
    url: str, parameters: tuple[tuple[str, str], ...], recording_callback: str | None = None
) -> str:
    response = VoiceResponse()
    if recording_callback is not None:
        response.start().recording(
            recording_status_callback=recording_callback,
            recording_status_callback_method="POST",
            recording_status_callback_event="completed",
            channels="dual",
            track="both",
        )
    element = response.connect().stream(url=url)
    for name, value in parameters:
        element.parameter(name=name, value=value)
    return str(response)


@lru_cache(maxsize=CACHED_ANSWERS)
def sip(uri: str, *, record: bool = False, recording_callback: str | None = None) -> str:
    """`<Dial><Sip>` toward the agent's SIP endpoint."""
    response = VoiceResponse()
    dial = response.dial(
        answer_on_bridge=True,
        record=FORWARD_RECORDING if record else None,
        recording_status_callback=recording_callback if record else None,
    )
    dial.sip(uri)
    return str(response)


@lru_cache(maxsize=CACHED_ANSWERS)
def forward(
    number: str,
    *,
    caller_id: str | None,
    whisper_url: str | None,
    record: bool,
    recording_callback: str | None,
) -> str:
    """`<Dial callerId record><Number url=whisper>`: the whisper plays to the answering party."""
    response = VoiceResponse()
    dial = response.dial(
        caller_id=caller_id,
        answer_on_bridge=True,
        record=FORWARD_RECORDING if record else None,
        recording_status_callback=recording_callback if record else None,
    )
    dial.number(number, url=whisper_url, method="POST" if whisper_url else None)
    return str(response)


@lru_cache(maxsize=CACHED_ANSWERS)
def voicemail(greeting: str | None, *, action: str, recording_callback: str) -> str:
    """A greeting, `<Record>` with the recording callback, then hang up."""
    response = VoiceResponse()
    response.say(greeting or DEFAULT_GREETING)
    response.record(
        action=action,
        method="POST",
        max_length=VOICEMAIL_MAX_SECONDS,
        play_beep=True,
        recording_status_callback=recording_callback,
        recording_status_callback_method="POST",
        recording_status_callback_event="completed",
    )
    response.hangup()
    return str(response)


@lru_cache(maxsize=CACHED_ANSWERS)
def whisper(text: str) -> str:
    """What the answering party hears before the call is bridged."""
    response = VoiceResponse()
    response.say(text)
    return str(response)


@lru_cache(maxsize=1)
def empty_messaging() -> str:
    """No reply to an SMS."""
    return str(MessagingResponse())


@lru_cache(maxsize=CACHED_ANSWERS)
def sms_reply(text: str) -> str:
    """`<Message>` replying to the sender."""
    response = MessagingResponse()
    response.message(text)
    return str(response)
