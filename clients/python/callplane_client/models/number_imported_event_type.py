from typing import Literal

NumberImportedEventType = Literal["number.imported"]

NUMBER_IMPORTED_EVENT_TYPE_VALUES: set[NumberImportedEventType] = {
    "number.imported",
}


def check_number_imported_event_type(value: str) -> NumberImportedEventType:
    if value in NUMBER_IMPORTED_EVENT_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {NUMBER_IMPORTED_EVENT_TYPE_VALUES!r}"
    )
