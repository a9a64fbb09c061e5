from typing import Literal

RecordingInProgressEventSchemaVersion = Literal[1]

RECORDING_IN_PROGRESS_EVENT_SCHEMA_VERSION_VALUES: set[
    RecordingInProgressEventSchemaVersion
] = {
    1,
}


def check_recording_in_progress_event_schema_version(
    value: int,
) -> RecordingInProgressEventSchemaVersion:
    if value in RECORDING_IN_PROGRESS_EVENT_SCHEMA_VERSION_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {RECORDING_IN_PROGRESS_EVENT_SCHEMA_VERSION_VALUES!r}"
    )
