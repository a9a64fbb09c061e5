from typing import Literal

AvailableNumberOutType = Literal["local", "mobile", "toll_free"]

AVAILABLE_NUMBER_OUT_TYPE_VALUES: set[AvailableNumberOutType] = {
    "local",
    "mobile",
    "toll_free",
}


def check_available_number_out_type(value: str) -> AvailableNumberOutType:
    if value in AVAILABLE_NUMBER_OUT_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {AVAILABLE_NUMBER_OUT_TYPE_VALUES!r}"
    )
