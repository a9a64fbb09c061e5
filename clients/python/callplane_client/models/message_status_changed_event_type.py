from typing import Literal

MessageStatusChangedEventType = Literal["message.status_changed"]

MESSAGE_STATUS_CHANGED_EVENT_TYPE_VALUES: set[MessageStatusChangedEventType] = {
    "message.status_changed",
}


def check_message_status_changed_event_type(
    value: str,
) -> MessageStatusChangedEventType:
    if value in MESSAGE_STATUS_CHANGED_EVENT_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {MESSAGE_STATUS_CHANGED_EVENT_TYPE_VALUES!r}"
    )
