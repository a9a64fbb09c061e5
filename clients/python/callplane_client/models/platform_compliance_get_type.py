from typing import Literal

PlatformComplianceGetType = Literal["local", "mobile", "toll_free"]

PLATFORM_COMPLIANCE_GET_TYPE_VALUES: set[PlatformComplianceGetType] = {
    "local",
    "mobile",
    "toll_free",
}


def check_platform_compliance_get_type(value: str) -> PlatformComplianceGetType:
    if value in PLATFORM_COMPLIANCE_GET_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {PLATFORM_COMPLIANCE_GET_TYPE_VALUES!r}"
    )
