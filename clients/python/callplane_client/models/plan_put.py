from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="PlanPut")


@_attrs_define
class PlanPut:
    """A plan's quota.

    Attributes:
        quota_phone_numbers (int):
    """

    quota_phone_numbers: int

    def to_dict(self) -> dict[str, Any]:
        quota_phone_numbers = self.quota_phone_numbers

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "quota_phone_numbers": quota_phone_numbers,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        quota_phone_numbers = d.pop("quota_phone_numbers")

        plan_put = cls(
            quota_phone_numbers=quota_phone_numbers,
        )

        return plan_put
