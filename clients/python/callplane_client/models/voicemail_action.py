from __future__ import annotations

from collections.abc import Mapping
from typing import (
    Any,
    Literal,
    Self,
    TypeVar,
    cast,
)

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="VoicemailAction")


@_attrs_define
class VoicemailAction:
    """A greeting, then record a message.

    Attributes:
        action (Literal['voicemail']):
        greeting (None | str | Unset):
    """

    action: Literal["voicemail"]
    greeting: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        action = self.action

        greeting: None | str | Unset
        if isinstance(self.greeting, Unset):
            greeting = UNSET
        else:
            greeting = self.greeting

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "action": action,
            }
        )
        if greeting is not UNSET:
            field_dict["greeting"] = greeting

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        action = cast(Literal["voicemail"], d.pop("action"))
        if action != "voicemail":
            raise ValueError(f"action must match const 'voicemail', got '{action}'")

        def _parse_greeting(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        greeting = _parse_greeting(d.pop("greeting", UNSET))

        voicemail_action = cls(
            action=action,
            greeting=greeting,
        )

        return voicemail_action
