from typing import Literal

ConnectionHealthChangedEventType = Literal["connection.health_changed"]

CONNECTION_HEALTH_CHANGED_EVENT_TYPE_VALUES: set[ConnectionHealthChangedEventType] = {
    "connection.health_changed",
}


def check_connection_health_changed_event_type(
    value: str,
) -> ConnectionHealthChangedEventType:
    if value in CONNECTION_HEALTH_CHANGED_EVENT_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {CONNECTION_HEALTH_CHANGED_EVENT_TYPE_VALUES!r}"
    )
