from typing import Literal

NumberHandedBackEventType = Literal["number.handed_back"]

NUMBER_HANDED_BACK_EVENT_TYPE_VALUES: set[NumberHandedBackEventType] = {
    "number.handed_back",
}


def check_number_handed_back_event_type(value: str) -> NumberHandedBackEventType:
    if value in NUMBER_HANDED_BACK_EVENT_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {NUMBER_HANDED_BACK_EVENT_TYPE_VALUES!r}"
    )
