from typing import Literal

CallFallbackUsedEventType = Literal["call.fallback_used"]

CALL_FALLBACK_USED_EVENT_TYPE_VALUES: set[CallFallbackUsedEventType] = {
    "call.fallback_used",
}


def check_call_fallback_used_event_type(value: str) -> CallFallbackUsedEventType:
    if value in CALL_FALLBACK_USED_EVENT_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {CALL_FALLBACK_USED_EVENT_TYPE_VALUES!r}"
    )
