from typing import Literal

RecordingInProgressEventType = Literal["recording.in_progress"]

RECORDING_IN_PROGRESS_EVENT_TYPE_VALUES: set[RecordingInProgressEventType] = {
    "recording.in_progress",
}


def check_recording_in_progress_event_type(value: str) -> RecordingInProgressEventType:
    if value in RECORDING_IN_PROGRESS_EVENT_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {RECORDING_IN_PROGRESS_EVENT_TYPE_VALUES!r}"
    )
