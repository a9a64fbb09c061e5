from typing import Literal

RecordingCompletedEventSchemaVersion = Literal[1]

RECORDING_COMPLETED_EVENT_SCHEMA_VERSION_VALUES: set[
    RecordingCompletedEventSchemaVersion
] = {
    1,
}


def check_recording_completed_event_schema_version(
    value: int,
) -> RecordingCompletedEventSchemaVersion:
    if value in RECORDING_COMPLETED_EVENT_SCHEMA_VERSION_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {RECORDING_COMPLETED_EVENT_SCHEMA_VERSION_VALUES!r}"
    )
