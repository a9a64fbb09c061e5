from typing import Literal

ConnectionPutModel = Literal["byo", "master", "subaccount"]

CONNECTION_PUT_MODEL_VALUES: set[ConnectionPutModel] = {
    "byo",
    "master",
    "subaccount",
}


def check_connection_put_model(value: str) -> ConnectionPutModel:
    if value in CONNECTION_PUT_MODEL_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {CONNECTION_PUT_MODEL_VALUES!r}"
    )
