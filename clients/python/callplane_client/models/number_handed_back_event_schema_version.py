from typing import Literal

NumberHandedBackEventSchemaVersion = Literal[1]

NUMBER_HANDED_BACK_EVENT_SCHEMA_VERSION_VALUES: set[
    NumberHandedBackEventSchemaVersion
] = {
    1,
}


def check_number_handed_back_event_schema_version(
    value: int,
) -> NumberHandedBackEventSchemaVersion:
    if value in NUMBER_HANDED_BACK_EVENT_SCHEMA_VERSION_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {NUMBER_HANDED_BACK_EVENT_SCHEMA_VERSION_VALUES!r}"
    )
