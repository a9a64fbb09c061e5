from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.subscription_put_status import (
    SubscriptionPutStatus,
    check_subscription_put_status,
)
from ..types import UNSET, Unset

T = TypeVar("T", bound="SubscriptionPut")


@_attrs_define
class SubscriptionPut:
    """A tenant's subscription.

    Attributes:
        plan (str):
        status (SubscriptionPutStatus):
        cancel_at_period_end (bool | Unset):  Default: False.
        canceled_at (datetime.datetime | None | Unset):
        external_id (None | str | Unset):
    """

    plan: str
    status: SubscriptionPutStatus
    cancel_at_period_end: bool | Unset = False
    canceled_at: datetime.datetime | None | Unset = UNSET
    external_id: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        plan = self.plan

        status: str = self.status

        cancel_at_period_end = self.cancel_at_period_end

        canceled_at: None | str | Unset
        if isinstance(self.canceled_at, Unset):
            canceled_at = UNSET
        elif isinstance(self.canceled_at, datetime.datetime):
            canceled_at = self.canceled_at.isoformat()
        else:
            canceled_at = self.canceled_at

        external_id: None | str | Unset
        if isinstance(self.external_id, Unset):
            external_id = UNSET
        else:
            external_id = self.external_id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "plan": plan,
                "status": status,
            }
        )
        if cancel_at_period_end is not UNSET:
            field_dict["cancel_at_period_end"] = cancel_at_period_end
        if canceled_at is not UNSET:
            field_dict["canceled_at"] = canceled_at
        if external_id is not UNSET:
            field_dict["external_id"] = external_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        plan = d.pop("plan")

        status = check_subscription_put_status(d.pop("status"))

        cancel_at_period_end = d.pop("cancel_at_period_end", UNSET)

        def _parse_canceled_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                canceled_at_type_0 = datetime.datetime.fromisoformat(data)

                return canceled_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        canceled_at = _parse_canceled_at(d.pop("canceled_at", UNSET))

        def _parse_external_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        external_id = _parse_external_id(d.pop("external_id", UNSET))

        subscription_put = cls(
            plan=plan,
            status=status,
            cancel_at_period_end=cancel_at_period_end,
            canceled_at=canceled_at,
            external_id=external_id,
        )

        return subscription_put
