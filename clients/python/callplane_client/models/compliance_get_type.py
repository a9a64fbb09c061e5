from typing import Literal

ComplianceGetType = Literal["local", "mobile", "toll_free"]

COMPLIANCE_GET_TYPE_VALUES: set[ComplianceGetType] = {
    "local",
    "mobile",
    "toll_free",
}


def check_compliance_get_type(value: str) -> ComplianceGetType:
    if value in COMPLIANCE_GET_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {COMPLIANCE_GET_TYPE_VALUES!r}"
    )
