from typing import Literal

CallUnroutedEventSchemaVersion = Literal[1]

CALL_UNROUTED_EVENT_SCHEMA_VERSION_VALUES: set[CallUnroutedEventSchemaVersion] = {
    1,
}


def check_call_unrouted_event_schema_version(
    value: int,
) -> CallUnroutedEventSchemaVersion:
    if value in CALL_UNROUTED_EVENT_SCHEMA_VERSION_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {CALL_UNROUTED_EVENT_SCHEMA_VERSION_VALUES!r}"
    )
