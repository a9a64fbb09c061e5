from typing import Literal

CallRejectedEventType = Literal["call.rejected"]

CALL_REJECTED_EVENT_TYPE_VALUES: set[CallRejectedEventType] = {
    "call.rejected",
}


def check_call_rejected_event_type(value: str) -> CallRejectedEventType:
    if value in CALL_REJECTED_EVENT_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {CALL_REJECTED_EVENT_TYPE_VALUES!r}"
    )
