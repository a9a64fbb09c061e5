from typing import Literal

EndpointTestEventType = Literal["endpoint.test"]

ENDPOINT_TEST_EVENT_TYPE_VALUES: set[EndpointTestEventType] = {
    "endpoint.test",
}


def check_endpoint_test_event_type(value: str) -> EndpointTestEventType:
    if value in ENDPOINT_TEST_EVENT_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {ENDPOINT_TEST_EVENT_TYPE_VALUES!r}"
    )
