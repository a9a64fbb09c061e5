from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.outbound_out_detail_type_0 import OutboundOutDetailType0


T = TypeVar("T", bound="OutboundOut")


@_attrs_define
class OutboundOut:
    """A sent message or started call (an event of kind outbound_sms / outbound_call).

    Attributes:
        id (UUID):
        kind (str):
        sid (None | str):
        status (None | str):
        from_ (None | str):
        to (None | str):
        number_id (None | UUID):
        agent_id (None | UUID):
        created_at (datetime.datetime):
        body (None | str | Unset):
        detail (None | OutboundOutDetailType0 | Unset):
    """

    id: UUID
    kind: str
    sid: None | str
    status: None | str
    from_: None | str
    to: None | str
    number_id: None | UUID
    agent_id: None | UUID
    created_at: datetime.datetime
    body: None | str | Unset = UNSET
    detail: None | OutboundOutDetailType0 | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.outbound_out_detail_type_0 import OutboundOutDetailType0

        id = str(self.id)

        kind = self.kind

        sid: None | str
        sid = self.sid

        status: None | str
        status = self.status

        from_: None | str
        from_ = self.from_

        to: None | str
        to = self.to

        number_id: None | str
        if isinstance(self.number_id, UUID):
            number_id = str(self.number_id)
        else:
            number_id = self.number_id

        agent_id: None | str
        if isinstance(self.agent_id, UUID):
            agent_id = str(self.agent_id)
        else:
            agent_id = self.agent_id

        created_at = self.created_at.isoformat()

        body: None | str | Unset
        if isinstance(self.body, Unset):
            body = UNSET
        else:
            body = self.body

        detail: dict[str, Any] | None | Unset
        if isinstance(self.detail, Unset):
            detail = UNSET
        elif isinstance(self.detail, OutboundOutDetailType0):
            detail = self.detail.to_dict()
        else:
            detail = self.detail

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "kind": kind,
                "sid": sid,
                "status": status,
                "from": from_,
                "to": to,
                "number_id": number_id,
                "agent_id": agent_id,
                "created_at": created_at,
            }
        )
        if body is not UNSET:
            field_dict["body"] = body
        if detail is not UNSET:
            field_dict["detail"] = detail

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.outbound_out_detail_type_0 import OutboundOutDetailType0

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        kind = d.pop("kind")

        def _parse_sid(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        sid = _parse_sid(d.pop("sid"))

        def _parse_status(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        status = _parse_status(d.pop("status"))

        def _parse_from_(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        from_ = _parse_from_(d.pop("from"))

        def _parse_to(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        to = _parse_to(d.pop("to"))

        def _parse_number_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                number_id_type_0 = UUID(data)

                return number_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        number_id = _parse_number_id(d.pop("number_id"))

        def _parse_agent_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                agent_id_type_0 = UUID(data)

                return agent_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        agent_id = _parse_agent_id(d.pop("agent_id"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_body(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        body = _parse_body(d.pop("body", UNSET))

        def _parse_detail(data: object) -> None | OutboundOutDetailType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                detail_type_0 = OutboundOutDetailType0.from_dict(data)

                return detail_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | OutboundOutDetailType0 | Unset, data)

        detail = _parse_detail(d.pop("detail", UNSET))

        outbound_out = cls(
            id=id,
            kind=kind,
            sid=sid,
            status=status,
            from_=from_,
            to=to,
            number_id=number_id,
            agent_id=agent_id,
            created_at=created_at,
            body=body,
            detail=detail,
        )

        outbound_out.additional_properties = d
        return outbound_out

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
