from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.number_provider_out_name import (
    NumberProviderOutName,
    check_number_provider_out_name,
)

T = TypeVar("T", bound="NumberProviderOut")


@_attrs_define
class NumberProviderOut:
    """A number's registration at its agent's provider.

    Attributes:
        name (NumberProviderOutName):
        agent_id (None | str): The provider's id of the agent (LiveKit: its name)
        registration_id (None | str): The provider's id of the registration
        status (str): synced | pending | failed
        detail (None | str):
        synced_at (datetime.datetime | None): The last successful sync
    """

    name: NumberProviderOutName
    agent_id: None | str
    registration_id: None | str
    status: str
    detail: None | str
    synced_at: datetime.datetime | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name: str = self.name

        agent_id: None | str
        agent_id = self.agent_id

        registration_id: None | str
        registration_id = self.registration_id

        status = self.status

        detail: None | str
        detail = self.detail

        synced_at: None | str
        if isinstance(self.synced_at, datetime.datetime):
            synced_at = self.synced_at.isoformat()
        else:
            synced_at = self.synced_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "agent_id": agent_id,
                "registration_id": registration_id,
                "status": status,
                "detail": detail,
                "synced_at": synced_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = check_number_provider_out_name(d.pop("name"))

        def _parse_agent_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        agent_id = _parse_agent_id(d.pop("agent_id"))

        def _parse_registration_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        registration_id = _parse_registration_id(d.pop("registration_id"))

        status = d.pop("status")

        def _parse_detail(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        detail = _parse_detail(d.pop("detail"))

        def _parse_synced_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                synced_at_type_0 = datetime.datetime.fromisoformat(data)

                return synced_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        synced_at = _parse_synced_at(d.pop("synced_at"))

        number_provider_out = cls(
            name=name,
            agent_id=agent_id,
            registration_id=registration_id,
            status=status,
            detail=detail,
            synced_at=synced_at,
        )

        number_provider_out.additional_properties = d
        return number_provider_out

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
