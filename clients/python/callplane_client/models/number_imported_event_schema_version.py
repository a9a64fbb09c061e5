from typing import Literal

NumberImportedEventSchemaVersion = Literal[1]

NUMBER_IMPORTED_EVENT_SCHEMA_VERSION_VALUES: set[NumberImportedEventSchemaVersion] = {
    1,
}


def check_number_imported_event_schema_version(
    value: int,
) -> NumberImportedEventSchemaVersion:
    if value in NUMBER_IMPORTED_EVENT_SCHEMA_VERSION_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {NUMBER_IMPORTED_EVENT_SCHEMA_VERSION_VALUES!r}"
    )
