from typing import Literal

ProvidersGetName = Literal["elevenlabs", "livekit", "retell", "vapi"]

PROVIDERS_GET_NAME_VALUES: set[ProvidersGetName] = {
    "elevenlabs",
    "livekit",
    "retell",
    "vapi",
}


def check_providers_get_name(value: str) -> ProvidersGetName:
    if value in PROVIDERS_GET_NAME_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {PROVIDERS_GET_NAME_VALUES!r}"
    )
