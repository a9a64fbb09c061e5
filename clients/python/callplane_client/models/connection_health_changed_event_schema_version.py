from typing import Literal

ConnectionHealthChangedEventSchemaVersion = Literal[1]

CONNECTION_HEALTH_CHANGED_EVENT_SCHEMA_VERSION_VALUES: set[
    ConnectionHealthChangedEventSchemaVersion
] = {
    1,
}


def check_connection_health_changed_event_schema_version(
    value: int,
) -> ConnectionHealthChangedEventSchemaVersion:
    if value in CONNECTION_HEALTH_CHANGED_EVENT_SCHEMA_VERSION_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {CONNECTION_HEALTH_CHANGED_EVENT_SCHEMA_VERSION_VALUES!r}"
    )
