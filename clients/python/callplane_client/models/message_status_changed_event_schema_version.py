from typing import Literal

MessageStatusChangedEventSchemaVersion = Literal[1]

MESSAGE_STATUS_CHANGED_EVENT_SCHEMA_VERSION_VALUES: set[
    MessageStatusChangedEventSchemaVersion
] = {
    1,
}


def check_message_status_changed_event_schema_version(
    value: int,
) -> MessageStatusChangedEventSchemaVersion:
    if value in MESSAGE_STATUS_CHANGED_EVENT_SCHEMA_VERSION_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {MESSAGE_STATUS_CHANGED_EVENT_SCHEMA_VERSION_VALUES!r}"
    )
