from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.connection_put_model import ConnectionPutModel, check_connection_put_model
from ..types import UNSET, Unset

T = TypeVar("T", bound="ConnectionPut")


@_attrs_define
class ConnectionPut:
    """Which account model the tenant uses, and the credentials for `byo`.

    Attributes:
        model (ConnectionPutModel):
        account_sid (None | str | Unset):
        auth_token (None | str | Unset):
        api_key_sid (None | str | Unset):
        api_key_secret (None | str | Unset):
        region (None | str | Unset):
        edge (None | str | Unset):
    """

    model: ConnectionPutModel
    account_sid: None | str | Unset = UNSET
    auth_token: None | str | Unset = UNSET
    api_key_sid: None | str | Unset = UNSET
    api_key_secret: None | str | Unset = UNSET
    region: None | str | Unset = UNSET
    edge: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        model: str = self.model

        account_sid: None | str | Unset
        if isinstance(self.account_sid, Unset):
            account_sid = UNSET
        else:
            account_sid = self.account_sid

        auth_token: None | str | Unset
        if isinstance(self.auth_token, Unset):
            auth_token = UNSET
        else:
            auth_token = self.auth_token

        api_key_sid: None | str | Unset
        if isinstance(self.api_key_sid, Unset):
            api_key_sid = UNSET
        else:
            api_key_sid = self.api_key_sid

        api_key_secret: None | str | Unset
        if isinstance(self.api_key_secret, Unset):
            api_key_secret = UNSET
        else:
            api_key_secret = self.api_key_secret

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

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "model": model,
            }
        )
        if account_sid is not UNSET:
            field_dict["account_sid"] = account_sid
        if auth_token is not UNSET:
            field_dict["auth_token"] = auth_token
        if api_key_sid is not UNSET:
            field_dict["api_key_sid"] = api_key_sid
        if api_key_secret is not UNSET:
            field_dict["api_key_secret"] = api_key_secret
        if region is not UNSET:
            field_dict["region"] = region
        if edge is not UNSET:
            field_dict["edge"] = edge

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        model = check_connection_put_model(d.pop("model"))

        def _parse_account_sid(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        account_sid = _parse_account_sid(d.pop("account_sid", UNSET))

        def _parse_auth_token(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        auth_token = _parse_auth_token(d.pop("auth_token", UNSET))

        def _parse_api_key_sid(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        api_key_sid = _parse_api_key_sid(d.pop("api_key_sid", UNSET))

        def _parse_api_key_secret(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        api_key_secret = _parse_api_key_secret(d.pop("api_key_secret", UNSET))

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

        connection_put = cls(
            model=model,
            account_sid=account_sid,
            auth_token=auth_token,
            api_key_sid=api_key_sid,
            api_key_secret=api_key_secret,
            region=region,
            edge=edge,
        )

        return connection_put
