from typing import Literal

PlatformComplianceDeleteType = Literal["local", "mobile", "toll_free"]

PLATFORM_COMPLIANCE_DELETE_TYPE_VALUES: set[PlatformComplianceDeleteType] = {
    "local",
    "mobile",
    "toll_free",
}


def check_platform_compliance_delete_type(value: str) -> PlatformComplianceDeleteType:
    if value in PLATFORM_COMPLIANCE_DELETE_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {PLATFORM_COMPLIANCE_DELETE_TYPE_VALUES!r}"
    )
