from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Capabilities")


@_attrs_define
class Capabilities:
    """What a number can do.

    Attributes:
        voice (bool | Unset):  Default: False.
        sms (bool | Unset):  Default: False.
        mms (bool | Unset):  Default: False.
    """

    voice: bool | Unset = False
    sms: bool | Unset = False
    mms: bool | Unset = False
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        voice = self.voice

        sms = self.sms

        mms = self.mms

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if voice is not UNSET:
            field_dict["voice"] = voice
        if sms is not UNSET:
            field_dict["sms"] = sms
        if mms is not UNSET:
            field_dict["mms"] = mms

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        voice = d.pop("voice", UNSET)

        sms = d.pop("sms", UNSET)

        mms = d.pop("mms", UNSET)

        capabilities = cls(
            voice=voice,
            sms=sms,
            mms=mms,
        )

        capabilities.additional_properties = d
        return capabilities

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
