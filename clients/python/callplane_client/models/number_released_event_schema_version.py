from typing import Literal

NumberReleasedEventSchemaVersion = Literal[1]

NUMBER_RELEASED_EVENT_SCHEMA_VERSION_VALUES: set[NumberReleasedEventSchemaVersion] = {
    1,
}


def check_number_released_event_schema_version(
    value: int,
) -> NumberReleasedEventSchemaVersion:
    if value in NUMBER_RELEASED_EVENT_SCHEMA_VERSION_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {NUMBER_RELEASED_EVENT_SCHEMA_VERSION_VALUES!r}"
    )
