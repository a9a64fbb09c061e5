from typing import Literal

RecordingAbsentEventSchemaVersion = Literal[1]

RECORDING_ABSENT_EVENT_SCHEMA_VERSION_VALUES: set[RecordingAbsentEventSchemaVersion] = {
    1,
}


def check_recording_absent_event_schema_version(
    value: int,
) -> RecordingAbsentEventSchemaVersion:
    if value in RECORDING_ABSENT_EVENT_SCHEMA_VERSION_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {RECORDING_ABSENT_EVENT_SCHEMA_VERSION_VALUES!r}"
    )
