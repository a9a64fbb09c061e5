from typing import Literal

ComplianceOutScope = Literal["platform", "tenant"]

COMPLIANCE_OUT_SCOPE_VALUES: set[ComplianceOutScope] = {
    "platform",
    "tenant",
}


def check_compliance_out_scope(value: str) -> ComplianceOutScope:
    if value in COMPLIANCE_OUT_SCOPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {COMPLIANCE_OUT_SCOPE_VALUES!r}"
    )
