from typing import Literal

NumberBoughtEventSchemaVersion = Literal[1]

NUMBER_BOUGHT_EVENT_SCHEMA_VERSION_VALUES: set[NumberBoughtEventSchemaVersion] = {
    1,
}


def check_number_bought_event_schema_version(
    value: int,
) -> NumberBoughtEventSchemaVersion:
    if value in NUMBER_BOUGHT_EVENT_SCHEMA_VERSION_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {NUMBER_BOUGHT_EVENT_SCHEMA_VERSION_VALUES!r}"
    )
