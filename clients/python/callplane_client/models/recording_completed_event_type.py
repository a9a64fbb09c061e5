from typing import Literal

RecordingCompletedEventType = Literal["recording.completed"]

RECORDING_COMPLETED_EVENT_TYPE_VALUES: set[RecordingCompletedEventType] = {
    "recording.completed",
}


def check_recording_completed_event_type(value: str) -> RecordingCompletedEventType:
    if value in RECORDING_COMPLETED_EVENT_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {RECORDING_COMPLETED_EVENT_TYPE_VALUES!r}"
    )
