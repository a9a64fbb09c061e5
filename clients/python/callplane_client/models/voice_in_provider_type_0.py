from typing import Literal

VoiceInProviderType0 = Literal["elevenlabs", "livekit", "retell", "vapi"]

VOICE_IN_PROVIDER_TYPE_0_VALUES: set[VoiceInProviderType0] = {
    "elevenlabs",
    "livekit",
    "retell",
    "vapi",
}


def check_voice_in_provider_type_0(value: str) -> VoiceInProviderType0:
    if value in VOICE_IN_PROVIDER_TYPE_0_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {VOICE_IN_PROVIDER_TYPE_0_VALUES!r}"
    )
