from typing import Literal

RecordingFailedEventSchemaVersion = Literal[1]

RECORDING_FAILED_EVENT_SCHEMA_VERSION_VALUES: set[RecordingFailedEventSchemaVersion] = {
    1,
}


def check_recording_failed_event_schema_version(
    value: int,
) -> RecordingFailedEventSchemaVersion:
    if value in RECORDING_FAILED_EVENT_SCHEMA_VERSION_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {RECORDING_FAILED_EVENT_SCHEMA_VERSION_VALUES!r}"
    )
