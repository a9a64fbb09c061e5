from typing import Literal

CallReceivedEventSchemaVersion = Literal[1]

CALL_RECEIVED_EVENT_SCHEMA_VERSION_VALUES: set[CallReceivedEventSchemaVersion] = {
    1,
}


def check_call_received_event_schema_version(
    value: int,
) -> CallReceivedEventSchemaVersion:
    if value in CALL_RECEIVED_EVENT_SCHEMA_VERSION_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {CALL_RECEIVED_EVENT_SCHEMA_VERSION_VALUES!r}"
    )
