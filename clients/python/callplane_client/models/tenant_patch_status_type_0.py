from typing import Literal

TenantPatchStatusType0 = Literal["active", "suspended"]

TENANT_PATCH_STATUS_TYPE_0_VALUES: set[TenantPatchStatusType0] = {
    "active",
    "suspended",
}


def check_tenant_patch_status_type_0(value: str) -> TenantPatchStatusType0:
    if value in TENANT_PATCH_STATUS_TYPE_0_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {TENANT_PATCH_STATUS_TYPE_0_VALUES!r}"
    )
