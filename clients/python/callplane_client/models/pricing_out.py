from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.price_out import PriceOut


T = TypeVar("T", bound="PricingOut")


@_attrs_define
class PricingOut:
    """Monthly number prices of one country.

    Attributes:
        country (str):
        currency (str):
        prices (list[PriceOut]):
    """

    country: str
    currency: str
    prices: list[PriceOut]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        country = self.country

        currency = self.currency

        prices = []
        for prices_item_data in self.prices:
            prices_item = prices_item_data.to_dict()
            prices.append(prices_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "country": country,
                "currency": currency,
                "prices": prices,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.price_out import PriceOut

        d = dict(src_dict)
        country = d.pop("country")

        currency = d.pop("currency")

        prices = []
        _prices = d.pop("prices")
        for prices_item_data in _prices:
            prices_item = PriceOut.from_dict(prices_item_data)

            prices.append(prices_item)

        pricing_out = cls(
            country=country,
            currency=currency,
            prices=prices,
        )

        pricing_out.additional_properties = d
        return pricing_out

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
