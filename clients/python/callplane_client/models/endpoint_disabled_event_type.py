from typing import Literal

EndpointDisabledEventType = Literal["endpoint.disabled"]

ENDPOINT_DISABLED_EVENT_TYPE_VALUES: set[EndpointDisabledEventType] = {
    "endpoint.disabled",
}


def check_endpoint_disabled_event_type(value: str) -> EndpointDisabledEventType:
    if value in ENDPOINT_DISABLED_EVENT_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {ENDPOINT_DISABLED_EVENT_TYPE_VALUES!r}"
    )
