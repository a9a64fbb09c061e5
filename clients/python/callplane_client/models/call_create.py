from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define

T = TypeVar("T", bound="CallCreate")


@_attrs_define
class CallCreate:
    """A call from one of the tenant's numbers, connected to an agent when answered.

    Attributes:
        from_ (str): The tenant's number
        to (str):
        agent_id (UUID):
    """

    from_: str
    to: str
    agent_id: UUID

    def to_dict(self) -> dict[str, Any]:
        from_ = self.from_

        to = self.to

        agent_id = str(self.agent_id)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "from": from_,
                "to": to,
                "agent_id": agent_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        from_ = d.pop("from")

        to = d.pop("to")

        agent_id = UUID(d.pop("agent_id"))

        call_create = cls(
            from_=from_,
            to=to,
            agent_id=agent_id,
        )

        return call_create
