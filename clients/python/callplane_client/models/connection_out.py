from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.health_out import HealthOut


T = TypeVar("T", bound="ConnectionOut")


@_attrs_define
class ConnectionOut:
    """A connection; never carries a secret.

    Attributes:
        model (str):
        account_sid (None | str):
        status (str):
        health (HealthOut): The last credential health check.
        api_key_sid (None | str | Unset):
        region (None | str | Unset):
        edge (None | str | Unset):
        token_rotated_at (datetime.datetime | None | Unset):
    """

    model: str
    account_sid: None | str
    status: str
    health: HealthOut
    api_key_sid: None | str | Unset = UNSET
    region: None | str | Unset = UNSET
    edge: None | str | Unset = UNSET
    token_rotated_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        model = self.model

        account_sid: None | str
        account_sid = self.account_sid

        status = self.status

        health = self.health.to_dict()

        api_key_sid: None | str | Unset
        if isinstance(self.api_key_sid, Unset):
            api_key_sid = UNSET
        else:
            api_key_sid = self.api_key_sid

        region: None | str | Unset
        if isinstance(self.region, Unset):
            region = UNSET
        else:
            region = self.region

        edge: None | str | Unset
        if isinstance(self.edge, Unset):
            edge = UNSET
        else:
            edge = self.edge

        token_rotated_at: None | str | Unset
        if isinstance(self.token_rotated_at, Unset):
            token_rotated_at = UNSET
        elif isinstance(self.token_rotated_at, datetime.datetime):
            token_rotated_at = self.token_rotated_at.isoformat()
        else:
            token_rotated_at = self.token_rotated_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "model": model,
                "account_sid": account_sid,
                "status": status,
                "health": health,
            }
        )
        if api_key_sid is not UNSET:
            field_dict["api_key_sid"] = api_key_sid
        if region is not UNSET:
            field_dict["region"] = region
        if edge is not UNSET:
            field_dict["edge"] = edge
        if token_rotated_at is not UNSET:
            field_dict["token_rotated_at"] = token_rotated_at

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.health_out import HealthOut

        d = dict(src_dict)
        model = d.pop("model")

        def _parse_account_sid(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        account_sid = _parse_account_sid(d.pop("account_sid"))

        status = d.pop("status")

        health = HealthOut.from_dict(d.pop("health"))

        def _parse_api_key_sid(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        api_key_sid = _parse_api_key_sid(d.pop("api_key_sid", UNSET))

        def _parse_region(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        region = _parse_region(d.pop("region", UNSET))

        def _parse_edge(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        edge = _parse_edge(d.pop("edge", UNSET))

        def _parse_token_rotated_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                token_rotated_at_type_0 = datetime.datetime.fromisoformat(data)

                return token_rotated_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        token_rotated_at = _parse_token_rotated_at(d.pop("token_rotated_at", UNSET))

        connection_out = cls(
            model=model,
            account_sid=account_sid,
            status=status,
            health=health,
            api_key_sid=api_key_sid,
            region=region,
            edge=edge,
            token_rotated_at=token_rotated_at,
        )

        connection_out.additional_properties = d
        return connection_out

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
