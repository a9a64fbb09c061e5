from typing import Literal

ProvidersCheckName = Literal["elevenlabs", "livekit", "retell", "vapi"]

PROVIDERS_CHECK_NAME_VALUES: set[ProvidersCheckName] = {
    "elevenlabs",
    "livekit",
    "retell",
    "vapi",
}


def check_providers_check_name(value: str) -> ProvidersCheckName:
    if value in PROVIDERS_CHECK_NAME_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {PROVIDERS_CHECK_NAME_VALUES!r}"
    )
