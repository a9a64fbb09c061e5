from typing import Literal

NumberBoughtEventType = Literal["number.bought"]

NUMBER_BOUGHT_EVENT_TYPE_VALUES: set[NumberBoughtEventType] = {
    "number.bought",
}


def check_number_bought_event_type(value: str) -> NumberBoughtEventType:
    if value in NUMBER_BOUGHT_EVENT_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {NUMBER_BOUGHT_EVENT_TYPE_VALUES!r}"
    )
