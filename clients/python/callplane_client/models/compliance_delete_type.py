from typing import Literal

ComplianceDeleteType = Literal["local", "mobile", "toll_free"]

COMPLIANCE_DELETE_TYPE_VALUES: set[ComplianceDeleteType] = {
    "local",
    "mobile",
    "toll_free",
}


def check_compliance_delete_type(value: str) -> ComplianceDeleteType:
    if value in COMPLIANCE_DELETE_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {COMPLIANCE_DELETE_TYPE_VALUES!r}"
    )
