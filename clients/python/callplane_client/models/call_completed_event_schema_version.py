from typing import Literal

CallCompletedEventSchemaVersion = Literal[1]

CALL_COMPLETED_EVENT_SCHEMA_VERSION_VALUES: set[CallCompletedEventSchemaVersion] = {
    1,
}


def check_call_completed_event_schema_version(
    value: int,
) -> CallCompletedEventSchemaVersion:
    if value in CALL_COMPLETED_EVENT_SCHEMA_VERSION_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {CALL_COMPLETED_EVENT_SCHEMA_VERSION_VALUES!r}"
    )
