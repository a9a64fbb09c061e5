from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="ManagePatch")


@_attrs_define
class ManagePatch:
    """Take channels over (true: what was there is saved) or give them back (false: restored).

    Attributes:
        voice (bool | None | Unset):
        sms (bool | None | Unset):
    """

    voice: bool | None | Unset = UNSET
    sms: bool | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        voice: bool | None | Unset
        if isinstance(self.voice, Unset):
            voice = UNSET
        else:
            voice = self.voice

        sms: bool | None | Unset
        if isinstance(self.sms, Unset):
            sms = UNSET
        else:
            sms = self.sms

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if voice is not UNSET:
            field_dict["voice"] = voice
        if sms is not UNSET:
            field_dict["sms"] = sms

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_voice(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        voice = _parse_voice(d.pop("voice", UNSET))

        def _parse_sms(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        sms = _parse_sms(d.pop("sms", UNSET))

        manage_patch = cls(
            voice=voice,
            sms=sms,
        )

        return manage_patch
