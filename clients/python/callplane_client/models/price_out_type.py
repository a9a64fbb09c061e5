from typing import Literal

PriceOutType = Literal["local", "mobile", "toll_free"]

PRICE_OUT_TYPE_VALUES: set[PriceOutType] = {
    "local",
    "mobile",
    "toll_free",
}


def check_price_out_type(value: str) -> PriceOutType:
    if value in PRICE_OUT_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {PRICE_OUT_TYPE_VALUES!r}"
    )
