from typing import Literal

ProvidersDeleteName = Literal["elevenlabs", "livekit", "retell", "vapi"]

PROVIDERS_DELETE_NAME_VALUES: set[ProvidersDeleteName] = {
    "elevenlabs",
    "livekit",
    "retell",
    "vapi",
}


def check_providers_delete_name(value: str) -> ProvidersDeleteName:
    if value in PROVIDERS_DELETE_NAME_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {PROVIDERS_DELETE_NAME_VALUES!r}"
    )
