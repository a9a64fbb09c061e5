from typing import Literal

RecordingAbsentEventType = Literal["recording.absent"]

RECORDING_ABSENT_EVENT_TYPE_VALUES: set[RecordingAbsentEventType] = {
    "recording.absent",
}


def check_recording_absent_event_type(value: str) -> RecordingAbsentEventType:
    if value in RECORDING_ABSENT_EVENT_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {RECORDING_ABSENT_EVENT_TYPE_VALUES!r}"
    )
