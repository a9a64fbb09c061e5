from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="MessageCreate")


@_attrs_define
class MessageCreate:
    """An SMS to send from one of the tenant's numbers.

    Attributes:
        to (str):
        body (str):
        from_ (None | str | Unset): The tenant's number; without it the tenant's default sender (`default_sms_from`),
            else the platform's SMS pool when it is on
    """

    to: str
    body: str
    from_: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        to = self.to

        body = self.body

        from_: None | str | Unset
        if isinstance(self.from_, Unset):
            from_ = UNSET
        else:
            from_ = self.from_

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "to": to,
                "body": body,
            }
        )
        if from_ is not UNSET:
            field_dict["from"] = from_

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        to = d.pop("to")

        body = d.pop("body")

        def _parse_from_(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        from_ = _parse_from_(d.pop("from", UNSET))

        message_create = cls(
            to=to,
            body=body,
            from_=from_,
        )

        return message_create
