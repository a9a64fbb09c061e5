from typing import Literal

CallCompletedEventType = Literal["call.completed"]

CALL_COMPLETED_EVENT_TYPE_VALUES: set[CallCompletedEventType] = {
    "call.completed",
}


def check_call_completed_event_type(value: str) -> CallCompletedEventType:
    if value in CALL_COMPLETED_EVENT_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {CALL_COMPLETED_EVENT_TYPE_VALUES!r}"
    )
