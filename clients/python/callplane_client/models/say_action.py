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

T = TypeVar("T", bound="SayAction")


@_attrs_define
class SayAction:
    """Say something, then hang up.

    Attributes:
        action (Literal['say']):
        text (str):
    """

    action: Literal["say"]
    text: str

    def to_dict(self) -> dict[str, Any]:
        action = self.action

        text = self.text

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "action": action,
                "text": text,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        action = cast(Literal["say"], d.pop("action"))
        if action != "say":
            raise ValueError(f"action must match const 'say', got '{action}'")

        text = d.pop("text")

        say_action = cls(
            action=action,
            text=text,
        )

        return say_action
