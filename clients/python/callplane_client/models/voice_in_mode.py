from typing import Literal

VoiceInMode = Literal["forward", "provider", "sip", "stream", "voicemail", "webhook"]

VOICE_IN_MODE_VALUES: set[VoiceInMode] = {
    "forward",
    "provider",
    "sip",
    "stream",
    "voicemail",
    "webhook",
}


def check_voice_in_mode(value: str) -> VoiceInMode:
    if value in VOICE_IN_MODE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {VOICE_IN_MODE_VALUES!r}"
    )
