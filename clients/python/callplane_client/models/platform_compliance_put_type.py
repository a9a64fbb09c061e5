from typing import Literal

PlatformCompliancePutType = Literal["local", "mobile", "toll_free"]

PLATFORM_COMPLIANCE_PUT_TYPE_VALUES: set[PlatformCompliancePutType] = {
    "local",
    "mobile",
    "toll_free",
}


def check_platform_compliance_put_type(value: str) -> PlatformCompliancePutType:
    if value in PLATFORM_COMPLIANCE_PUT_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {PLATFORM_COMPLIANCE_PUT_TYPE_VALUES!r}"
    )
