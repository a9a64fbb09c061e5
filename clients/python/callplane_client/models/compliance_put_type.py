from typing import Literal

CompliancePutType = Literal["local", "mobile", "toll_free"]

COMPLIANCE_PUT_TYPE_VALUES: set[CompliancePutType] = {
    "local",
    "mobile",
    "toll_free",
}


def check_compliance_put_type(value: str) -> CompliancePutType:
    if value in COMPLIANCE_PUT_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {COMPLIANCE_PUT_TYPE_VALUES!r}"
    )
