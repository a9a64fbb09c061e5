"""TwiML answers, built only with the SDK's `VoiceResponse` and `MessagingResponse`."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import VoiceResponse

NOT_IN_SERVICE = "The number you have called is not in service. Goodbye."
DEFAULT_GREETING = "Please leave a message after the tone."
VOICEMAIL_MAX_SECONDS = 120
# A forwarded call's recording covers both legs, each on its own channel.
FORWARD_RECORDING = "record-from-answer-dual"


def not_in_service() -> str:
    """A spoken "not in service", then hang up (unknown number, nothing to route to)."""
    response = VoiceResponse()
    response.say(NOT_IN_SERVICE)
    response.hangup()
    return str(response)


def reject() -> str:
    """Refuse the call before it is answered (suspended tenant, canceled subscription)."""
    response = VoiceResponse()
    response.reject(reason="rejected")
    return str(response)


def empty_voice() -> str:
    """An empty voice answer (status and recording callbacks ignore the body)."""
    return str(VoiceResponse())


def hangup() -> str:
    """Hang up (what a `<Record action>` request gets once the message is left)."""
    response = VoiceResponse()
    response.hangup()
    return str(response)


def split_stream_url(url: str) -> tuple[str, list[tuple[str, str]]]:
    """The stream URL without its query string, and that query as parameters.

    Twilio drops a `<Stream url>`'s query string, so whatever the agent put there travels as
    `<Parameter>`s instead.
    """
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")), query


def stream(url: str, parameters: Mapping[str, str] | list[tuple[str, str]]) -> str:
    """`<Connect><Stream url>` with `<Parameter>`s (the stream's "start" message carries them)."""
    response = VoiceResponse()
    element = response.connect().stream(url=url)
    items = parameters.items() if isinstance(parameters, Mapping) else parameters
    for name, value in items:
        element.parameter(name=name, value=value)
    return str(response)


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


def whisper(text: str) -> str:
    """What the answering party hears before the call is bridged."""
    response = VoiceResponse()
    response.say(text)
    return str(response)


def empty_messaging() -> str:
    """No reply to an SMS."""
    return str(MessagingResponse())


def sms_reply(text: str) -> str:
    """`<Message>` replying to the sender."""
    response = MessagingResponse()
    response.message(text)
    return str(response)
