from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.stripe_event_out_outcome import (
    StripeEventOutOutcome,
    check_stripe_event_out_outcome,
)
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.stripe_event_out_effects_type_0 import StripeEventOutEffectsType0
    from ..models.subscription_out import SubscriptionOut


T = TypeVar("T", bound="StripeEventOut")


@_attrs_define
class StripeEventOut:
    """What became of a Stripe event.

    Attributes:
        event_id (str):
        outcome (StripeEventOutOutcome):
        received (bool | Unset):  Default: True.
        tenant_id (None | Unset | UUID):
        detail (None | str | Unset):
        subscription (None | SubscriptionOut | Unset):
        effects (None | StripeEventOutEffectsType0 | Unset):
    """

    event_id: str
    outcome: StripeEventOutOutcome
    received: bool | Unset = True
    tenant_id: None | Unset | UUID = UNSET
    detail: None | str | Unset = UNSET
    subscription: None | SubscriptionOut | Unset = UNSET
    effects: None | StripeEventOutEffectsType0 | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.stripe_event_out_effects_type_0 import StripeEventOutEffectsType0
        from ..models.subscription_out import SubscriptionOut

        event_id = self.event_id

        outcome: str = self.outcome

        received = self.received

        tenant_id: None | str | Unset
        if isinstance(self.tenant_id, Unset):
            tenant_id = UNSET
        elif isinstance(self.tenant_id, UUID):
            tenant_id = str(self.tenant_id)
        else:
            tenant_id = self.tenant_id

        detail: None | str | Unset
        if isinstance(self.detail, Unset):
            detail = UNSET
        else:
            detail = self.detail

        subscription: dict[str, Any] | None | Unset
        if isinstance(self.subscription, Unset):
            subscription = UNSET
        elif isinstance(self.subscription, SubscriptionOut):
            subscription = self.subscription.to_dict()
        else:
            subscription = self.subscription

        effects: dict[str, Any] | None | Unset
        if isinstance(self.effects, Unset):
            effects = UNSET
        elif isinstance(self.effects, StripeEventOutEffectsType0):
            effects = self.effects.to_dict()
        else:
            effects = self.effects

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "event_id": event_id,
                "outcome": outcome,
            }
        )
        if received is not UNSET:
            field_dict["received"] = received
        if tenant_id is not UNSET:
            field_dict["tenant_id"] = tenant_id
        if detail is not UNSET:
            field_dict["detail"] = detail
        if subscription is not UNSET:
            field_dict["subscription"] = subscription
        if effects is not UNSET:
            field_dict["effects"] = effects

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.stripe_event_out_effects_type_0 import StripeEventOutEffectsType0
        from ..models.subscription_out import SubscriptionOut

        d = dict(src_dict)
        event_id = d.pop("event_id")

        outcome = check_stripe_event_out_outcome(d.pop("outcome"))

        received = d.pop("received", UNSET)

        def _parse_tenant_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                tenant_id_type_0 = UUID(data)

                return tenant_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        tenant_id = _parse_tenant_id(d.pop("tenant_id", UNSET))

        def _parse_detail(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        detail = _parse_detail(d.pop("detail", UNSET))

        def _parse_subscription(data: object) -> None | SubscriptionOut | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                subscription_type_0 = SubscriptionOut.from_dict(data)

                return subscription_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SubscriptionOut | Unset, data)

        subscription = _parse_subscription(d.pop("subscription", UNSET))

        def _parse_effects(data: object) -> None | StripeEventOutEffectsType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                effects_type_0 = StripeEventOutEffectsType0.from_dict(data)

                return effects_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | StripeEventOutEffectsType0 | Unset, data)

        effects = _parse_effects(d.pop("effects", UNSET))

        stripe_event_out = cls(
            event_id=event_id,
            outcome=outcome,
            received=received,
            tenant_id=tenant_id,
            detail=detail,
            subscription=subscription,
            effects=effects,
        )

        stripe_event_out.additional_properties = d
        return stripe_event_out

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
