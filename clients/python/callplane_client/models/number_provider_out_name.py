from typing import Literal

NumberProviderOutName = Literal["elevenlabs", "livekit", "retell", "vapi"]

NUMBER_PROVIDER_OUT_NAME_VALUES: set[NumberProviderOutName] = {
    "elevenlabs",
    "livekit",
    "retell",
    "vapi",
}


def check_number_provider_out_name(value: str) -> NumberProviderOutName:
    if value in NUMBER_PROVIDER_OUT_NAME_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {NUMBER_PROVIDER_OUT_NAME_VALUES!r}"
    )
