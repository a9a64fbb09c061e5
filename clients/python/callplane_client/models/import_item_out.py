from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.import_item_out_result import (
    ImportItemOutResult,
    check_import_item_out_result,
)
from ..models.number_status import NumberStatus, check_number_status
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.import_item_error import ImportItemError


T = TypeVar("T", bound="ImportItemOut")


@_attrs_define
class ImportItemOut:
    """One number of a batch: imported (now), already the tenant's, or refused (and why).

    Attributes:
        phone_number (str):
        result (ImportItemOutResult):
        id (None | Unset | UUID):
        status (None | NumberStatus | Unset):
        error (ImportItemError | None | Unset):
    """

    phone_number: str
    result: ImportItemOutResult
    id: None | Unset | UUID = UNSET
    status: None | NumberStatus | Unset = UNSET
    error: ImportItemError | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.import_item_error import ImportItemError

        phone_number = self.phone_number

        result: str = self.result

        id: None | str | Unset
        if isinstance(self.id, Unset):
            id = UNSET
        elif isinstance(self.id, UUID):
            id = str(self.id)
        else:
            id = self.id

        status: None | str | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        elif isinstance(self.status, str):
            status = self.status
        else:
            status = self.status

        error: dict[str, Any] | None | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        elif isinstance(self.error, ImportItemError):
            error = self.error.to_dict()
        else:
            error = self.error

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "phone_number": phone_number,
                "result": result,
            }
        )
        if id is not UNSET:
            field_dict["id"] = id
        if status is not UNSET:
            field_dict["status"] = status
        if error is not UNSET:
            field_dict["error"] = error

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.import_item_error import ImportItemError

        d = dict(src_dict)
        phone_number = d.pop("phone_number")

        result = check_import_item_out_result(d.pop("result"))

        def _parse_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                id_type_0 = UUID(data)

                return id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        id = _parse_id(d.pop("id", UNSET))

        def _parse_status(data: object) -> None | NumberStatus | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                status_type_0 = check_number_status(data)

                return status_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | NumberStatus | Unset, data)

        status = _parse_status(d.pop("status", UNSET))

        def _parse_error(data: object) -> ImportItemError | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                error_type_0 = ImportItemError.from_dict(data)

                return error_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ImportItemError | None | Unset, data)

        error = _parse_error(d.pop("error", UNSET))

        import_item_out = cls(
            phone_number=phone_number,
            result=result,
            id=id,
            status=status,
            error=error,
        )

        import_item_out.additional_properties = d
        return import_item_out

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
