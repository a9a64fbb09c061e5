from typing import Literal

EndpointDisabledEventSchemaVersion = Literal[1]

ENDPOINT_DISABLED_EVENT_SCHEMA_VERSION_VALUES: set[
    EndpointDisabledEventSchemaVersion
] = {
    1,
}


def check_endpoint_disabled_event_schema_version(
    value: int,
) -> EndpointDisabledEventSchemaVersion:
    if value in ENDPOINT_DISABLED_EVENT_SCHEMA_VERSION_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {ENDPOINT_DISABLED_EVENT_SCHEMA_VERSION_VALUES!r}"
    )
