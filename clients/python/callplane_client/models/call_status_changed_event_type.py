from typing import Literal

CallStatusChangedEventType = Literal["call.status_changed"]

CALL_STATUS_CHANGED_EVENT_TYPE_VALUES: set[CallStatusChangedEventType] = {
    "call.status_changed",
}


def check_call_status_changed_event_type(value: str) -> CallStatusChangedEventType:
    if value in CALL_STATUS_CHANGED_EVENT_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {CALL_STATUS_CHANGED_EVENT_TYPE_VALUES!r}"
    )
