from typing import Literal

ImportItemOutResult = Literal["already_held", "failed", "imported"]

IMPORT_ITEM_OUT_RESULT_VALUES: set[ImportItemOutResult] = {
    "already_held",
    "failed",
    "imported",
}


def check_import_item_out_result(value: str) -> ImportItemOutResult:
    if value in IMPORT_ITEM_OUT_RESULT_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {IMPORT_ITEM_OUT_RESULT_VALUES!r}"
    )
