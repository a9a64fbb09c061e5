from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.twilio_event_data_twilio import TwilioEventDataTwilio


T = TypeVar("T", bound="TwilioEventData")


@_attrs_define
class TwilioEventData:
    """A call, message or recording as Twilio reported it to one of the tenant's numbers.

    Attributes:
        agent_id (None | str | Unset):
        number_id (None | str | Unset):
        number (None | str | Unset): The tenant's number (E.164).
        account_sid (None | str | Unset):
        sid (None | str | Unset): CallSid or MessageSid.
        from_ (None | str | Unset):
        to (None | str | Unset):
        state (None | str | Unset): Twilio's status of the call/message.
        decision (None | str | Unset): routed, unrouted or rejected.
        reason (None | str | Unset):
        twilio (TwilioEventDataTwilio | Unset): Twilio's parameters.
    """

    agent_id: None | str | Unset = UNSET
    number_id: None | str | Unset = UNSET
    number: None | str | Unset = UNSET
    account_sid: None | str | Unset = UNSET
    sid: None | str | Unset = UNSET
    from_: None | str | Unset = UNSET
    to: None | str | Unset = UNSET
    state: None | str | Unset = UNSET
    decision: None | str | Unset = UNSET
    reason: None | str | Unset = UNSET
    twilio: TwilioEventDataTwilio | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        agent_id: None | str | Unset
        if isinstance(self.agent_id, Unset):
            agent_id = UNSET
        else:
            agent_id = self.agent_id

        number_id: None | str | Unset
        if isinstance(self.number_id, Unset):
            number_id = UNSET
        else:
            number_id = self.number_id

        number: None | str | Unset
        if isinstance(self.number, Unset):
            number = UNSET
        else:
            number = self.number

        account_sid: None | str | Unset
        if isinstance(self.account_sid, Unset):
            account_sid = UNSET
        else:
            account_sid = self.account_sid

        sid: None | str | Unset
        if isinstance(self.sid, Unset):
            sid = UNSET
        else:
            sid = self.sid

        from_: None | str | Unset
        if isinstance(self.from_, Unset):
            from_ = UNSET
        else:
            from_ = self.from_

        to: None | str | Unset
        if isinstance(self.to, Unset):
            to = UNSET
        else:
            to = self.to

        state: None | str | Unset
        if isinstance(self.state, Unset):
            state = UNSET
        else:
            state = self.state

        decision: None | str | Unset
        if isinstance(self.decision, Unset):
            decision = UNSET
        else:
            decision = self.decision

        reason: None | str | Unset
        if isinstance(self.reason, Unset):
            reason = UNSET
        else:
            reason = self.reason

        twilio: dict[str, Any] | Unset = UNSET
        if not isinstance(self.twilio, Unset):
            twilio = self.twilio.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if agent_id is not UNSET:
            field_dict["agent_id"] = agent_id
        if number_id is not UNSET:
            field_dict["number_id"] = number_id
        if number is not UNSET:
            field_dict["number"] = number
        if account_sid is not UNSET:
            field_dict["account_sid"] = account_sid
        if sid is not UNSET:
            field_dict["sid"] = sid
        if from_ is not UNSET:
            field_dict["from"] = from_
        if to is not UNSET:
            field_dict["to"] = to
        if state is not UNSET:
            field_dict["state"] = state
        if decision is not UNSET:
            field_dict["decision"] = decision
        if reason is not UNSET:
            field_dict["reason"] = reason
        if twilio is not UNSET:
            field_dict["twilio"] = twilio

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.twilio_event_data_twilio import TwilioEventDataTwilio

        d = dict(src_dict)

        def _parse_agent_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        agent_id = _parse_agent_id(d.pop("agent_id", UNSET))

        def _parse_number_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        number_id = _parse_number_id(d.pop("number_id", UNSET))

        def _parse_number(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        number = _parse_number(d.pop("number", UNSET))

        def _parse_account_sid(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        account_sid = _parse_account_sid(d.pop("account_sid", UNSET))

        def _parse_sid(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        sid = _parse_sid(d.pop("sid", UNSET))

        def _parse_from_(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        from_ = _parse_from_(d.pop("from", UNSET))

        def _parse_to(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        to = _parse_to(d.pop("to", UNSET))

        def _parse_state(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        state = _parse_state(d.pop("state", UNSET))

        def _parse_decision(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        decision = _parse_decision(d.pop("decision", UNSET))

        def _parse_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        reason = _parse_reason(d.pop("reason", UNSET))

        _twilio = d.pop("twilio", UNSET)
        twilio: TwilioEventDataTwilio | Unset
        if isinstance(_twilio, Unset):
            twilio = UNSET
        else:
            twilio = TwilioEventDataTwilio.from_dict(_twilio)

        twilio_event_data = cls(
            agent_id=agent_id,
            number_id=number_id,
            number=number,
            account_sid=account_sid,
            sid=sid,
            from_=from_,
            to=to,
            state=state,
            decision=decision,
            reason=reason,
            twilio=twilio,
        )

        twilio_event_data.additional_properties = d
        return twilio_event_data

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
