from typing import Literal

PhoneNumbersSearchType = Literal["local", "mobile", "toll_free"]

PHONE_NUMBERS_SEARCH_TYPE_VALUES: set[PhoneNumbersSearchType] = {
    "local",
    "mobile",
    "toll_free",
}


def check_phone_numbers_search_type(value: str) -> PhoneNumbersSearchType:
    if value in PHONE_NUMBERS_SEARCH_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {PHONE_NUMBERS_SEARCH_TYPE_VALUES!r}"
    )
