from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.event_out_detail_type_0 import EventOutDetailType0


T = TypeVar("T", bound="EventOut")


@_attrs_define
class EventOut:
    """A recorded webhook event.

    Attributes:
        id (UUID):
        kind (str):
        sid (None | str):
        account_sid (None | str):
        from_ (None | str):
        to (None | str):
        number_id (None | UUID):
        agent_id (None | UUID):
        decision (str):
        state (None | str):
        received_at (datetime.datetime):
        detail (EventOutDetailType0 | None):
    """

    id: UUID
    kind: str
    sid: None | str
    account_sid: None | str
    from_: None | str
    to: None | str
    number_id: None | UUID
    agent_id: None | UUID
    decision: str
    state: None | str
    received_at: datetime.datetime
    detail: EventOutDetailType0 | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.event_out_detail_type_0 import EventOutDetailType0

        id = str(self.id)

        kind = self.kind

        sid: None | str
        sid = self.sid

        account_sid: None | str
        account_sid = self.account_sid

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

        decision = self.decision

        state: None | str
        state = self.state

        received_at = self.received_at.isoformat()

        detail: dict[str, Any] | None
        if isinstance(self.detail, EventOutDetailType0):
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
                "account_sid": account_sid,
                "from": from_,
                "to": to,
                "number_id": number_id,
                "agent_id": agent_id,
                "decision": decision,
                "state": state,
                "received_at": received_at,
                "detail": detail,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.event_out_detail_type_0 import EventOutDetailType0

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        kind = d.pop("kind")

        def _parse_sid(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        sid = _parse_sid(d.pop("sid"))

        def _parse_account_sid(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        account_sid = _parse_account_sid(d.pop("account_sid"))

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

        decision = d.pop("decision")

        def _parse_state(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        state = _parse_state(d.pop("state"))

        received_at = datetime.datetime.fromisoformat(d.pop("received_at"))

        def _parse_detail(data: object) -> EventOutDetailType0 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                detail_type_0 = EventOutDetailType0.from_dict(data)

                return detail_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(EventOutDetailType0 | None, data)

        detail = _parse_detail(d.pop("detail"))

        event_out = cls(
            id=id,
            kind=kind,
            sid=sid,
            account_sid=account_sid,
            from_=from_,
            to=to,
            number_id=number_id,
            agent_id=agent_id,
            decision=decision,
            state=state,
            received_at=received_at,
            detail=detail,
        )

        event_out.additional_properties = d
        return event_out

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
