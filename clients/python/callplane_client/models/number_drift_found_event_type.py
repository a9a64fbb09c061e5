from typing import Literal

NumberDriftFoundEventType = Literal["number.drift_found"]

NUMBER_DRIFT_FOUND_EVENT_TYPE_VALUES: set[NumberDriftFoundEventType] = {
    "number.drift_found",
}


def check_number_drift_found_event_type(value: str) -> NumberDriftFoundEventType:
    if value in NUMBER_DRIFT_FOUND_EVENT_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {NUMBER_DRIFT_FOUND_EVENT_TYPE_VALUES!r}"
    )
