from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="Manage")


@_attrs_define
class Manage:
    """Which channels callplane owns at Twilio: it wires, rewires and restores only these.

    Attributes:
        voice (bool | Unset):  Default: True.
        sms (bool | Unset):  Default: True.
    """

    voice: bool | Unset = True
    sms: bool | Unset = True

    def to_dict(self) -> dict[str, Any]:
        voice = self.voice

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
        voice = d.pop("voice", UNSET)

        sms = d.pop("sms", UNSET)

        manage = cls(
            voice=voice,
            sms=sms,
        )

        return manage
