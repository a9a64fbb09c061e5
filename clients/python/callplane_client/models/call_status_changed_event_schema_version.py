from typing import Literal

CallStatusChangedEventSchemaVersion = Literal[1]

CALL_STATUS_CHANGED_EVENT_SCHEMA_VERSION_VALUES: set[
    CallStatusChangedEventSchemaVersion
] = {
    1,
}


def check_call_status_changed_event_schema_version(
    value: int,
) -> CallStatusChangedEventSchemaVersion:
    if value in CALL_STATUS_CHANGED_EVENT_SCHEMA_VERSION_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {CALL_STATUS_CHANGED_EVENT_SCHEMA_VERSION_VALUES!r}"
    )
