from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="ReconcileRequest")


@_attrs_define
class ReconcileRequest:
    """`POST /v1/reconcile`.

    Attributes:
        dry_run (bool | Unset):  Default: False.
        tenant_id (None | Unset | UUID): Only this tenant's numbers
        wait (bool | Unset): Answer when the run is done (200); false answers at once (202) and the run goes on in the
            background (see GET /v1/reconcile/runs/{id}) Default: True.
    """

    dry_run: bool | Unset = False
    tenant_id: None | Unset | UUID = UNSET
    wait: bool | Unset = True

    def to_dict(self) -> dict[str, Any]:
        dry_run = self.dry_run

        tenant_id: None | str | Unset
        if isinstance(self.tenant_id, Unset):
            tenant_id = UNSET
        elif isinstance(self.tenant_id, UUID):
            tenant_id = str(self.tenant_id)
        else:
            tenant_id = self.tenant_id

        wait = self.wait

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if dry_run is not UNSET:
            field_dict["dry_run"] = dry_run
        if tenant_id is not UNSET:
            field_dict["tenant_id"] = tenant_id
        if wait is not UNSET:
            field_dict["wait"] = wait

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        dry_run = d.pop("dry_run", UNSET)

        def _parse_tenant_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                tenant_id_type_0 = UUID(data)

                return tenant_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        tenant_id = _parse_tenant_id(d.pop("tenant_id", UNSET))

        wait = d.pop("wait", UNSET)

        reconcile_request = cls(
            dry_run=dry_run,
            tenant_id=tenant_id,
            wait=wait,
        )

        return reconcile_request
