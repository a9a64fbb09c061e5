from typing import Literal

ProvidersPutName = Literal["elevenlabs", "livekit", "retell", "vapi"]

PROVIDERS_PUT_NAME_VALUES: set[ProvidersPutName] = {
    "elevenlabs",
    "livekit",
    "retell",
    "vapi",
}


def check_providers_put_name(value: str) -> ProvidersPutName:
    if value in PROVIDERS_PUT_NAME_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {PROVIDERS_PUT_NAME_VALUES!r}"
    )
