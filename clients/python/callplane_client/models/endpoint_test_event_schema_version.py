from typing import Literal

EndpointTestEventSchemaVersion = Literal[1]

ENDPOINT_TEST_EVENT_SCHEMA_VERSION_VALUES: set[EndpointTestEventSchemaVersion] = {
    1,
}


def check_endpoint_test_event_schema_version(
    value: int,
) -> EndpointTestEventSchemaVersion:
    if value in ENDPOINT_TEST_EVENT_SCHEMA_VERSION_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {ENDPOINT_TEST_EVENT_SCHEMA_VERSION_VALUES!r}"
    )
