from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="MessageCreate")


@_attrs_define
class MessageCreate:
    """An SMS to send from one of the tenant's numbers.

    Attributes:
        from_ (str): The tenant's number
        to (str):
        body (str):
    """

    from_: str
    to: str
    body: str

    def to_dict(self) -> dict[str, Any]:
        from_ = self.from_

        to = self.to

        body = self.body

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "from": from_,
                "to": to,
                "body": body,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        from_ = d.pop("from")

        to = d.pop("to")

        body = d.pop("body")

        message_create = cls(
            from_=from_,
            to=to,
            body=body,
        )

        return message_create
