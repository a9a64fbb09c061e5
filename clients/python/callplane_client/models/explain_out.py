from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.explain_answer import ExplainAnswer
    from ..models.explain_step import ExplainStep


T = TypeVar("T", bound="ExplainOut")


@_attrs_define
class ExplainOut:
    """Every step of the routing decision for calls and messages to one number.

    Attributes:
        to (str):
        e164 (None | str):
        account_sid (None | str):
        tenant_id (None | UUID):
        number_id (None | UUID):
        agent_id (None | UUID):
        webhooks_called (bool):
        voice (ExplainAnswer): What the gateway answers for one kind of webhook.
        sms (ExplainAnswer): What the gateway answers for one kind of webhook.
        steps (list[ExplainStep]):
    """

    to: str
    e164: None | str
    account_sid: None | str
    tenant_id: None | UUID
    number_id: None | UUID
    agent_id: None | UUID
    webhooks_called: bool
    voice: ExplainAnswer
    sms: ExplainAnswer
    steps: list[ExplainStep]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        to = self.to

        e164: None | str
        e164 = self.e164

        account_sid: None | str
        account_sid = self.account_sid

        tenant_id: None | str
        if isinstance(self.tenant_id, UUID):
            tenant_id = str(self.tenant_id)
        else:
            tenant_id = self.tenant_id

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

        webhooks_called = self.webhooks_called

        voice = self.voice.to_dict()

        sms = self.sms.to_dict()

        steps = []
        for steps_item_data in self.steps:
            steps_item = steps_item_data.to_dict()
            steps.append(steps_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "to": to,
                "e164": e164,
                "account_sid": account_sid,
                "tenant_id": tenant_id,
                "number_id": number_id,
                "agent_id": agent_id,
                "webhooks_called": webhooks_called,
                "voice": voice,
                "sms": sms,
                "steps": steps,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.explain_answer import ExplainAnswer
        from ..models.explain_step import ExplainStep

        d = dict(src_dict)
        to = d.pop("to")

        def _parse_e164(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        e164 = _parse_e164(d.pop("e164"))

        def _parse_account_sid(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        account_sid = _parse_account_sid(d.pop("account_sid"))

        def _parse_tenant_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                tenant_id_type_0 = UUID(data)

                return tenant_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        tenant_id = _parse_tenant_id(d.pop("tenant_id"))

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

        webhooks_called = d.pop("webhooks_called")

        voice = ExplainAnswer.from_dict(d.pop("voice"))

        sms = ExplainAnswer.from_dict(d.pop("sms"))

        steps = []
        _steps = d.pop("steps")
        for steps_item_data in _steps:
            steps_item = ExplainStep.from_dict(steps_item_data)

            steps.append(steps_item)

        explain_out = cls(
            to=to,
            e164=e164,
            account_sid=account_sid,
            tenant_id=tenant_id,
            number_id=number_id,
            agent_id=agent_id,
            webhooks_called=webhooks_called,
            voice=voice,
            sms=sms,
            steps=steps,
        )

        explain_out.additional_properties = d
        return explain_out

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
