from typing import Literal

CallReceivedEventType = Literal["call.received"]

CALL_RECEIVED_EVENT_TYPE_VALUES: set[CallReceivedEventType] = {
    "call.received",
}


def check_call_received_event_type(value: str) -> CallReceivedEventType:
    if value in CALL_RECEIVED_EVENT_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {CALL_RECEIVED_EVENT_TYPE_VALUES!r}"
    )
