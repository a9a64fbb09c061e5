from typing import Literal

ProviderOutName = Literal["elevenlabs", "livekit", "retell", "vapi"]

PROVIDER_OUT_NAME_VALUES: set[ProviderOutName] = {
    "elevenlabs",
    "livekit",
    "retell",
    "vapi",
}


def check_provider_out_name(value: str) -> ProviderOutName:
    if value in PROVIDER_OUT_NAME_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {PROVIDER_OUT_NAME_VALUES!r}"
    )
