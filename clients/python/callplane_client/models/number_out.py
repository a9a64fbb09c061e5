from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.number_status import NumberStatus, check_number_status
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.capabilities import Capabilities
    from ..models.channel_owners import ChannelOwners
    from ..models.manage import Manage
    from ..models.number_provider_out import NumberProviderOut
    from ..models.original_config import OriginalConfig


T = TypeVar("T", bound="NumberOut")


@_attrs_define
class NumberOut:
    """A tenant's phone number.

    Attributes:
        id (UUID):
        phone_number (str):
        status (NumberStatus): Where a number is in its life (DESIGN section 3).
        agent_id (None | UUID):
        trunk_id (None | UUID):
        managed (bool):
        manage (Manage): Which channels callplane owns at Twilio: it wires, rewires and restores only these.
        channels (ChannelOwners): Who owns each channel: callplane, the customer, or what takes the voice channel (a
            trunk,
            a provider).
        origin (str):
        original_config (None | OriginalConfig):
        label (None | str):
        country (str):
        type_ (str):
        capabilities (Capabilities): What a number can do.
        monthly_price (None | str):
        price_unit (None | str):
        twilio_sid (None | str):
        account_sid (str):
        purchased_at (datetime.datetime | None):
        released_at (datetime.datetime | None):
        release_reason (None | str):
        failure_reason (None | str):
        failure_code (None | str):
        created_at (datetime.datetime):
        bundle_sid (None | str | Unset):
        address_sid (None | str | Unset):
        provider (None | NumberProviderOut | Unset): Its registration at its agent's voice-AI provider, if any
    """

    id: UUID
    phone_number: str
    status: NumberStatus
    agent_id: None | UUID
    trunk_id: None | UUID
    managed: bool
    manage: Manage
    channels: ChannelOwners
    origin: str
    original_config: None | OriginalConfig
    label: None | str
    country: str
    type_: str
    capabilities: Capabilities
    monthly_price: None | str
    price_unit: None | str
    twilio_sid: None | str
    account_sid: str
    purchased_at: datetime.datetime | None
    released_at: datetime.datetime | None
    release_reason: None | str
    failure_reason: None | str
    failure_code: None | str
    created_at: datetime.datetime
    bundle_sid: None | str | Unset = UNSET
    address_sid: None | str | Unset = UNSET
    provider: None | NumberProviderOut | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.number_provider_out import NumberProviderOut
        from ..models.original_config import OriginalConfig

        id = str(self.id)

        phone_number = self.phone_number

        status: str = self.status

        agent_id: None | str
        if isinstance(self.agent_id, UUID):
            agent_id = str(self.agent_id)
        else:
            agent_id = self.agent_id

        trunk_id: None | str
        if isinstance(self.trunk_id, UUID):
            trunk_id = str(self.trunk_id)
        else:
            trunk_id = self.trunk_id

        managed = self.managed

        manage = self.manage.to_dict()

        channels = self.channels.to_dict()

        origin = self.origin

        original_config: dict[str, Any] | None
        if isinstance(self.original_config, OriginalConfig):
            original_config = self.original_config.to_dict()
        else:
            original_config = self.original_config

        label: None | str
        label = self.label

        country = self.country

        type_ = self.type_

        capabilities = self.capabilities.to_dict()

        monthly_price: None | str
        monthly_price = self.monthly_price

        price_unit: None | str
        price_unit = self.price_unit

        twilio_sid: None | str
        twilio_sid = self.twilio_sid

        account_sid = self.account_sid

        purchased_at: None | str
        if isinstance(self.purchased_at, datetime.datetime):
            purchased_at = self.purchased_at.isoformat()
        else:
            purchased_at = self.purchased_at

        released_at: None | str
        if isinstance(self.released_at, datetime.datetime):
            released_at = self.released_at.isoformat()
        else:
            released_at = self.released_at

        release_reason: None | str
        release_reason = self.release_reason

        failure_reason: None | str
        failure_reason = self.failure_reason

        failure_code: None | str
        failure_code = self.failure_code

        created_at = self.created_at.isoformat()

        bundle_sid: None | str | Unset
        if isinstance(self.bundle_sid, Unset):
            bundle_sid = UNSET
        else:
            bundle_sid = self.bundle_sid

        address_sid: None | str | Unset
        if isinstance(self.address_sid, Unset):
            address_sid = UNSET
        else:
            address_sid = self.address_sid

        provider: dict[str, Any] | None | Unset
        if isinstance(self.provider, Unset):
            provider = UNSET
        elif isinstance(self.provider, NumberProviderOut):
            provider = self.provider.to_dict()
        else:
            provider = self.provider

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "phone_number": phone_number,
                "status": status,
                "agent_id": agent_id,
                "trunk_id": trunk_id,
                "managed": managed,
                "manage": manage,
                "channels": channels,
                "origin": origin,
                "original_config": original_config,
                "label": label,
                "country": country,
                "type": type_,
                "capabilities": capabilities,
                "monthly_price": monthly_price,
                "price_unit": price_unit,
                "twilio_sid": twilio_sid,
                "account_sid": account_sid,
                "purchased_at": purchased_at,
                "released_at": released_at,
                "release_reason": release_reason,
                "failure_reason": failure_reason,
                "failure_code": failure_code,
                "created_at": created_at,
            }
        )
        if bundle_sid is not UNSET:
            field_dict["bundle_sid"] = bundle_sid
        if address_sid is not UNSET:
            field_dict["address_sid"] = address_sid
        if provider is not UNSET:
            field_dict["provider"] = provider

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.capabilities import Capabilities
        from ..models.channel_owners import ChannelOwners
        from ..models.manage import Manage
        from ..models.number_provider_out import NumberProviderOut
        from ..models.original_config import OriginalConfig

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        phone_number = d.pop("phone_number")

        status = check_number_status(d.pop("status"))

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

        def _parse_trunk_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                trunk_id_type_0 = UUID(data)

                return trunk_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        trunk_id = _parse_trunk_id(d.pop("trunk_id"))

        managed = d.pop("managed")

        manage = Manage.from_dict(d.pop("manage"))

        channels = ChannelOwners.from_dict(d.pop("channels"))

        origin = d.pop("origin")

        def _parse_original_config(data: object) -> None | OriginalConfig:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                original_config_type_0 = OriginalConfig.from_dict(data)

                return original_config_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | OriginalConfig, data)

        original_config = _parse_original_config(d.pop("original_config"))

        def _parse_label(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        label = _parse_label(d.pop("label"))

        country = d.pop("country")

        type_ = d.pop("type")

        capabilities = Capabilities.from_dict(d.pop("capabilities"))

        def _parse_monthly_price(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        monthly_price = _parse_monthly_price(d.pop("monthly_price"))

        def _parse_price_unit(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        price_unit = _parse_price_unit(d.pop("price_unit"))

        def _parse_twilio_sid(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        twilio_sid = _parse_twilio_sid(d.pop("twilio_sid"))

        account_sid = d.pop("account_sid")

        def _parse_purchased_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                purchased_at_type_0 = datetime.datetime.fromisoformat(data)

                return purchased_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        purchased_at = _parse_purchased_at(d.pop("purchased_at"))

        def _parse_released_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                released_at_type_0 = datetime.datetime.fromisoformat(data)

                return released_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        released_at = _parse_released_at(d.pop("released_at"))

        def _parse_release_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        release_reason = _parse_release_reason(d.pop("release_reason"))

        def _parse_failure_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        failure_reason = _parse_failure_reason(d.pop("failure_reason"))

        def _parse_failure_code(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        failure_code = _parse_failure_code(d.pop("failure_code"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_bundle_sid(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        bundle_sid = _parse_bundle_sid(d.pop("bundle_sid", UNSET))

        def _parse_address_sid(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        address_sid = _parse_address_sid(d.pop("address_sid", UNSET))

        def _parse_provider(data: object) -> None | NumberProviderOut | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                provider_type_0 = NumberProviderOut.from_dict(data)

                return provider_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | NumberProviderOut | Unset, data)

        provider = _parse_provider(d.pop("provider", UNSET))

        number_out = cls(
            id=id,
            phone_number=phone_number,
            status=status,
            agent_id=agent_id,
            trunk_id=trunk_id,
            managed=managed,
            manage=manage,
            channels=channels,
            origin=origin,
            original_config=original_config,
            label=label,
            country=country,
            type_=type_,
            capabilities=capabilities,
            monthly_price=monthly_price,
            price_unit=price_unit,
            twilio_sid=twilio_sid,
            account_sid=account_sid,
            purchased_at=purchased_at,
            released_at=released_at,
            release_reason=release_reason,
            failure_reason=failure_reason,
            failure_code=failure_code,
            created_at=created_at,
            bundle_sid=bundle_sid,
            address_sid=address_sid,
            provider=provider,
        )

        number_out.additional_properties = d
        return number_out

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
