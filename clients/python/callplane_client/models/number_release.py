from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="NumberRelease")


@_attrs_define
class NumberRelease:
    """The confirmation that deleting an imported number at Twilio takes.

    Attributes:
        confirm (None | str | Unset): The number's E.164, to delete it at Twilio
    """

    confirm: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        confirm: None | str | Unset
        if isinstance(self.confirm, Unset):
            confirm = UNSET
        else:
            confirm = self.confirm

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if confirm is not UNSET:
            field_dict["confirm"] = confirm

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_confirm(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        confirm = _parse_confirm(d.pop("confirm", UNSET))

        number_release = cls(
            confirm=confirm,
        )

        return number_release
