from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.manage import Manage


T = TypeVar("T", bound="NumberBuy")


@_attrs_define
class NumberBuy:
    """Buy a number found by a search.

    Attributes:
        phone_number (str):
        agent_id (None | Unset | UUID):
        country (None | str | Unset): How to read a number written without +
        manage (Manage | Unset): Which channels callplane owns at Twilio: it wires, rewires and restores only these.
        label (None | str | Unset):
    """

    phone_number: str
    agent_id: None | Unset | UUID = UNSET
    country: None | str | Unset = UNSET
    manage: Manage | Unset = UNSET
    label: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        phone_number = self.phone_number

        agent_id: None | str | Unset
        if isinstance(self.agent_id, Unset):
            agent_id = UNSET
        elif isinstance(self.agent_id, UUID):
            agent_id = str(self.agent_id)
        else:
            agent_id = self.agent_id

        country: None | str | Unset
        if isinstance(self.country, Unset):
            country = UNSET
        else:
            country = self.country

        manage: dict[str, Any] | Unset = UNSET
        if not isinstance(self.manage, Unset):
            manage = self.manage.to_dict()

        label: None | str | Unset
        if isinstance(self.label, Unset):
            label = UNSET
        else:
            label = self.label

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "phone_number": phone_number,
            }
        )
        if agent_id is not UNSET:
            field_dict["agent_id"] = agent_id
        if country is not UNSET:
            field_dict["country"] = country
        if manage is not UNSET:
            field_dict["manage"] = manage
        if label is not UNSET:
            field_dict["label"] = label

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.manage import Manage

        d = dict(src_dict)
        phone_number = d.pop("phone_number")

        def _parse_agent_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                agent_id_type_0 = UUID(data)

                return agent_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        agent_id = _parse_agent_id(d.pop("agent_id", UNSET))

        def _parse_country(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        country = _parse_country(d.pop("country", UNSET))

        _manage = d.pop("manage", UNSET)
        manage: Manage | Unset
        if isinstance(_manage, Unset):
            manage = UNSET
        else:
            manage = Manage.from_dict(_manage)

        def _parse_label(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        label = _parse_label(d.pop("label", UNSET))

        number_buy = cls(
            phone_number=phone_number,
            agent_id=agent_id,
            country=country,
            manage=manage,
            label=label,
        )

        return number_buy
