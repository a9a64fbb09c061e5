from typing import Literal

CallUnroutedEventType = Literal["call.unrouted"]

CALL_UNROUTED_EVENT_TYPE_VALUES: set[CallUnroutedEventType] = {
    "call.unrouted",
}


def check_call_unrouted_event_type(value: str) -> CallUnroutedEventType:
    if value in CALL_UNROUTED_EVENT_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {CALL_UNROUTED_EVENT_TYPE_VALUES!r}"
    )
