from typing import Literal

NumberDriftFoundEventSchemaVersion = Literal[1]

NUMBER_DRIFT_FOUND_EVENT_SCHEMA_VERSION_VALUES: set[
    NumberDriftFoundEventSchemaVersion
] = {
    1,
}


def check_number_drift_found_event_schema_version(
    value: int,
) -> NumberDriftFoundEventSchemaVersion:
    if value in NUMBER_DRIFT_FOUND_EVENT_SCHEMA_VERSION_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {NUMBER_DRIFT_FOUND_EVENT_SCHEMA_VERSION_VALUES!r}"
    )
