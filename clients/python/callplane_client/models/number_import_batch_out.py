from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.import_item_out import ImportItemOut


T = TypeVar("T", bound="NumberImportBatchOut")


@_attrs_define
class NumberImportBatchOut:
    """What a batch import did, number by number, in the order asked.

    Attributes:
        imported (int):
        already_held (int):
        failed (int):
        data (list[ImportItemOut]):
    """

    imported: int
    already_held: int
    failed: int
    data: list[ImportItemOut]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        imported = self.imported

        already_held = self.already_held

        failed = self.failed

        data = []
        for data_item_data in self.data:
            data_item = data_item_data.to_dict()
            data.append(data_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "imported": imported,
                "already_held": already_held,
                "failed": failed,
                "data": data,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.import_item_out import ImportItemOut

        d = dict(src_dict)
        imported = d.pop("imported")

        already_held = d.pop("already_held")

        failed = d.pop("failed")

        data = []
        _data = d.pop("data")
        for data_item_data in _data:
            data_item = ImportItemOut.from_dict(data_item_data)

            data.append(data_item)

        number_import_batch_out = cls(
            imported=imported,
            already_held=already_held,
            failed=failed,
            data=data,
        )

        number_import_batch_out.additional_properties = d
        return number_import_batch_out

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
