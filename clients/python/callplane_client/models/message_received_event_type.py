from typing import Literal

MessageReceivedEventType = Literal["message.received"]

MESSAGE_RECEIVED_EVENT_TYPE_VALUES: set[MessageReceivedEventType] = {
    "message.received",
}


def check_message_received_event_type(value: str) -> MessageReceivedEventType:
    if value in MESSAGE_RECEIVED_EVENT_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {MESSAGE_RECEIVED_EVENT_TYPE_VALUES!r}"
    )
