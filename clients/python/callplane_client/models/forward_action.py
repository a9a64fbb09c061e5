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

T = TypeVar("T", bound="ForwardAction")


@_attrs_define
class ForwardAction:
    """Forward the call to a number.

    Attributes:
        action (Literal['forward']):
        forward_to (str):
        caller_id (None | str | Unset):
    """

    action: Literal["forward"]
    forward_to: str
    caller_id: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        action = self.action

        forward_to = self.forward_to

        caller_id: None | str | Unset
        if isinstance(self.caller_id, Unset):
            caller_id = UNSET
        else:
            caller_id = self.caller_id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "action": action,
                "forward_to": forward_to,
            }
        )
        if caller_id is not UNSET:
            field_dict["caller_id"] = caller_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        action = cast(Literal["forward"], d.pop("action"))
        if action != "forward":
            raise ValueError(f"action must match const 'forward', got '{action}'")

        forward_to = d.pop("forward_to")

        def _parse_caller_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        caller_id = _parse_caller_id(d.pop("caller_id", UNSET))

        forward_action = cls(
            action=action,
            forward_to=forward_to,
            caller_id=caller_id,
        )

        return forward_action
