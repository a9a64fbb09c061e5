from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.number_event_data_detail import NumberEventDataDetail


T = TypeVar("T", bound="NumberEventData")


@_attrs_define
class NumberEventData:
    """A phone number of the tenant's changed.

    Attributes:
        number_id (str):
        phone_number (str):
        status (None | str | Unset):
        detail (NumberEventDataDetail | Unset):
    """

    number_id: str
    phone_number: str
    status: None | str | Unset = UNSET
    detail: NumberEventDataDetail | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        number_id = self.number_id

        phone_number = self.phone_number

        status: None | str | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        else:
            status = self.status

        detail: dict[str, Any] | Unset = UNSET
        if not isinstance(self.detail, Unset):
            detail = self.detail.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "number_id": number_id,
                "phone_number": phone_number,
            }
        )
        if status is not UNSET:
            field_dict["status"] = status
        if detail is not UNSET:
            field_dict["detail"] = detail

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.number_event_data_detail import NumberEventDataDetail

        d = dict(src_dict)
        number_id = d.pop("number_id")

        phone_number = d.pop("phone_number")

        def _parse_status(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        status = _parse_status(d.pop("status", UNSET))

        _detail = d.pop("detail", UNSET)
        detail: NumberEventDataDetail | Unset
        if isinstance(_detail, Unset):
            detail = UNSET
        else:
            detail = NumberEventDataDetail.from_dict(_detail)

        number_event_data = cls(
            number_id=number_id,
            phone_number=phone_number,
            status=status,
            detail=detail,
        )

        number_event_data.additional_properties = d
        return number_event_data

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
