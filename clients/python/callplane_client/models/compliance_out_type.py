from typing import Literal

ComplianceOutType = Literal["local", "mobile", "toll_free"]

COMPLIANCE_OUT_TYPE_VALUES: set[ComplianceOutType] = {
    "local",
    "mobile",
    "toll_free",
}


def check_compliance_out_type(value: str) -> ComplianceOutType:
    if value in COMPLIANCE_OUT_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {COMPLIANCE_OUT_TYPE_VALUES!r}"
    )
