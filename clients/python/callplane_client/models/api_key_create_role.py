from typing import Literal

ApiKeyCreateRole = Literal["admin", "member"]

API_KEY_CREATE_ROLE_VALUES: set[ApiKeyCreateRole] = {
    "admin",
    "member",
}


def check_api_key_create_role(value: str) -> ApiKeyCreateRole:
    if value in API_KEY_CREATE_ROLE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {API_KEY_CREATE_ROLE_VALUES!r}"
    )
