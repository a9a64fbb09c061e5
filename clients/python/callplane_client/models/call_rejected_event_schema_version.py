from typing import Literal

CallRejectedEventSchemaVersion = Literal[1]

CALL_REJECTED_EVENT_SCHEMA_VERSION_VALUES: set[CallRejectedEventSchemaVersion] = {
    1,
}


def check_call_rejected_event_schema_version(
    value: int,
) -> CallRejectedEventSchemaVersion:
    if value in CALL_REJECTED_EVENT_SCHEMA_VERSION_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {CALL_REJECTED_EVENT_SCHEMA_VERSION_VALUES!r}"
    )
