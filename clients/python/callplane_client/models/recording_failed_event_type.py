from typing import Literal

RecordingFailedEventType = Literal["recording.failed"]

RECORDING_FAILED_EVENT_TYPE_VALUES: set[RecordingFailedEventType] = {
    "recording.failed",
}


def check_recording_failed_event_type(value: str) -> RecordingFailedEventType:
    if value in RECORDING_FAILED_EVENT_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {RECORDING_FAILED_EVENT_TYPE_VALUES!r}"
    )
