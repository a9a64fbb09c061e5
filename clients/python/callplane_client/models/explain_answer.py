from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ExplainAnswer")


@_attrs_define
class ExplainAnswer:
    """What the gateway answers for one kind of webhook.

    Attributes:
        outcome (str):
        reason (str):
        explanation (str):
        twiml (None | str):
        mode (None | str | Unset):
        forward_to_url (None | str | Unset):
    """

    outcome: str
    reason: str
    explanation: str
    twiml: None | str
    mode: None | str | Unset = UNSET
    forward_to_url: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        outcome = self.outcome

        reason = self.reason

        explanation = self.explanation

        twiml: None | str
        twiml = self.twiml

        mode: None | str | Unset
        if isinstance(self.mode, Unset):
            mode = UNSET
        else:
            mode = self.mode

        forward_to_url: None | str | Unset
        if isinstance(self.forward_to_url, Unset):
            forward_to_url = UNSET
        else:
            forward_to_url = self.forward_to_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "outcome": outcome,
                "reason": reason,
                "explanation": explanation,
                "twiml": twiml,
            }
        )
        if mode is not UNSET:
            field_dict["mode"] = mode
        if forward_to_url is not UNSET:
            field_dict["forward_to_url"] = forward_to_url

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        outcome = d.pop("outcome")

        reason = d.pop("reason")

        explanation = d.pop("explanation")

        def _parse_twiml(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        twiml = _parse_twiml(d.pop("twiml"))

        def _parse_mode(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        mode = _parse_mode(d.pop("mode", UNSET))

        def _parse_forward_to_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        forward_to_url = _parse_forward_to_url(d.pop("forward_to_url", UNSET))

        explain_answer = cls(
            outcome=outcome,
            reason=reason,
            explanation=explanation,
            twiml=twiml,
            mode=mode,
            forward_to_url=forward_to_url,
        )

        explain_answer.additional_properties = d
        return explain_answer

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
