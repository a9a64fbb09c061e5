from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.manage import Manage


T = TypeVar("T", bound="NumberImportBatch")


@_attrs_define
class NumberImportBatch:
    """Claim many numbers already in the tenant's Twilio account at once: a list, or `all`
    (every number the account holds that no tenant holds yet). The account is read once, page by
    page; each number is imported on its own (all or nothing per number) and reported.

        Attributes:
            phone_numbers (list[str] | None | Unset):
            all_ (bool | Unset): Every number of the account that no tenant holds yet Default: False.
            manage (Manage | None | Unset): The channels callplane takes over, for every number
            manage_webhooks (bool | None | Unset): Shorthand: true for both channels, false for none
            agent_id (None | Unset | UUID):
            country (None | str | Unset):
    """

    phone_numbers: list[str] | None | Unset = UNSET
    all_: bool | Unset = False
    manage: Manage | None | Unset = UNSET
    manage_webhooks: bool | None | Unset = UNSET
    agent_id: None | Unset | UUID = UNSET
    country: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.manage import Manage

        phone_numbers: list[str] | None | Unset
        if isinstance(self.phone_numbers, Unset):
            phone_numbers = UNSET
        elif isinstance(self.phone_numbers, list):
            phone_numbers = self.phone_numbers

        else:
            phone_numbers = self.phone_numbers

        all_ = self.all_

        manage: dict[str, Any] | None | Unset
        if isinstance(self.manage, Unset):
            manage = UNSET
        elif isinstance(self.manage, Manage):
            manage = self.manage.to_dict()
        else:
            manage = self.manage

        manage_webhooks: bool | None | Unset
        if isinstance(self.manage_webhooks, Unset):
            manage_webhooks = UNSET
        else:
            manage_webhooks = self.manage_webhooks

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

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if phone_numbers is not UNSET:
            field_dict["phone_numbers"] = phone_numbers
        if all_ is not UNSET:
            field_dict["all"] = all_
        if manage is not UNSET:
            field_dict["manage"] = manage
        if manage_webhooks is not UNSET:
            field_dict["manage_webhooks"] = manage_webhooks
        if agent_id is not UNSET:
            field_dict["agent_id"] = agent_id
        if country is not UNSET:
            field_dict["country"] = country

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.manage import Manage

        d = dict(src_dict)

        def _parse_phone_numbers(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                phone_numbers_type_0 = cast(list[str], data)

                return phone_numbers_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        phone_numbers = _parse_phone_numbers(d.pop("phone_numbers", UNSET))

        all_ = d.pop("all", UNSET)

        def _parse_manage(data: object) -> Manage | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                manage_type_0 = Manage.from_dict(data)

                return manage_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Manage | None | Unset, data)

        manage = _parse_manage(d.pop("manage", UNSET))

        def _parse_manage_webhooks(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        manage_webhooks = _parse_manage_webhooks(d.pop("manage_webhooks", UNSET))

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

        number_import_batch = cls(
            phone_numbers=phone_numbers,
            all_=all_,
            manage=manage,
            manage_webhooks=manage_webhooks,
            agent_id=agent_id,
            country=country,
        )

        return number_import_batch
