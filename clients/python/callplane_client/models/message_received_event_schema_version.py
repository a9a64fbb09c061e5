from typing import Literal

MessageReceivedEventSchemaVersion = Literal[1]

MESSAGE_RECEIVED_EVENT_SCHEMA_VERSION_VALUES: set[MessageReceivedEventSchemaVersion] = {
    1,
}


def check_message_received_event_schema_version(
    value: int,
) -> MessageReceivedEventSchemaVersion:
    if value in MESSAGE_RECEIVED_EVENT_SCHEMA_VERSION_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {MESSAGE_RECEIVED_EVENT_SCHEMA_VERSION_VALUES!r}"
    )
