from typing import Literal

NumberReleasedEventType = Literal["number.released"]

NUMBER_RELEASED_EVENT_TYPE_VALUES: set[NumberReleasedEventType] = {
    "number.released",
}


def check_number_released_event_type(value: str) -> NumberReleasedEventType:
    if value in NUMBER_RELEASED_EVENT_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {NUMBER_RELEASED_EVENT_TYPE_VALUES!r}"
    )
