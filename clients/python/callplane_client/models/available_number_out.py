from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.available_number_out_type import (
    AvailableNumberOutType,
    check_available_number_out_type,
)
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.capabilities import Capabilities


T = TypeVar("T", bound="AvailableNumberOut")


@_attrs_define
class AvailableNumberOut:
    """A number Twilio offers for purchase.

    Attributes:
        phone_number (str):
        country (str):
        type_ (AvailableNumberOutType):
        capabilities (Capabilities): What a number can do.
        friendly_name (None | str | Unset):
        locality (None | str | Unset):
        region (None | str | Unset):
        postal_code (None | str | Unset):
        address_requirements (None | str | Unset):
        monthly_price (None | str | Unset):
        price_unit (None | str | Unset):
    """

    phone_number: str
    country: str
    type_: AvailableNumberOutType
    capabilities: Capabilities
    friendly_name: None | str | Unset = UNSET
    locality: None | str | Unset = UNSET
    region: None | str | Unset = UNSET
    postal_code: None | str | Unset = UNSET
    address_requirements: None | str | Unset = UNSET
    monthly_price: None | str | Unset = UNSET
    price_unit: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        phone_number = self.phone_number

        country = self.country

        type_: str = self.type_

        capabilities = self.capabilities.to_dict()

        friendly_name: None | str | Unset
        if isinstance(self.friendly_name, Unset):
            friendly_name = UNSET
        else:
            friendly_name = self.friendly_name

        locality: None | str | Unset
        if isinstance(self.locality, Unset):
            locality = UNSET
        else:
            locality = self.locality

        region: None | str | Unset
        if isinstance(self.region, Unset):
            region = UNSET
        else:
            region = self.region

        postal_code: None | str | Unset
        if isinstance(self.postal_code, Unset):
            postal_code = UNSET
        else:
            postal_code = self.postal_code

        address_requirements: None | str | Unset
        if isinstance(self.address_requirements, Unset):
            address_requirements = UNSET
        else:
            address_requirements = self.address_requirements

        monthly_price: None | str | Unset
        if isinstance(self.monthly_price, Unset):
            monthly_price = UNSET
        else:
            monthly_price = self.monthly_price

        price_unit: None | str | Unset
        if isinstance(self.price_unit, Unset):
            price_unit = UNSET
        else:
            price_unit = self.price_unit

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "phone_number": phone_number,
                "country": country,
                "type": type_,
                "capabilities": capabilities,
            }
        )
        if friendly_name is not UNSET:
            field_dict["friendly_name"] = friendly_name
        if locality is not UNSET:
            field_dict["locality"] = locality
        if region is not UNSET:
            field_dict["region"] = region
        if postal_code is not UNSET:
            field_dict["postal_code"] = postal_code
        if address_requirements is not UNSET:
            field_dict["address_requirements"] = address_requirements
        if monthly_price is not UNSET:
            field_dict["monthly_price"] = monthly_price
        if price_unit is not UNSET:
            field_dict["price_unit"] = price_unit

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.capabilities import Capabilities

        d = dict(src_dict)
        phone_number = d.pop("phone_number")

        country = d.pop("country")

        type_ = check_available_number_out_type(d.pop("type"))

        capabilities = Capabilities.from_dict(d.pop("capabilities"))

        def _parse_friendly_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        friendly_name = _parse_friendly_name(d.pop("friendly_name", UNSET))

        def _parse_locality(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        locality = _parse_locality(d.pop("locality", UNSET))

        def _parse_region(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        region = _parse_region(d.pop("region", UNSET))

        def _parse_postal_code(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        postal_code = _parse_postal_code(d.pop("postal_code", UNSET))

        def _parse_address_requirements(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        address_requirements = _parse_address_requirements(
            d.pop("address_requirements", UNSET)
        )

        def _parse_monthly_price(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        monthly_price = _parse_monthly_price(d.pop("monthly_price", UNSET))

        def _parse_price_unit(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        price_unit = _parse_price_unit(d.pop("price_unit", UNSET))

        available_number_out = cls(
            phone_number=phone_number,
            country=country,
            type_=type_,
            capabilities=capabilities,
            friendly_name=friendly_name,
            locality=locality,
            region=region,
            postal_code=postal_code,
            address_requirements=address_requirements,
            monthly_price=monthly_price,
            price_unit=price_unit,
        )

        available_number_out.additional_properties = d
        return available_number_out

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
