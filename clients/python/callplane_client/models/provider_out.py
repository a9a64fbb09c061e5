from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.provider_out_name import ProviderOutName, check_provider_out_name
from ..types import UNSET, Unset

T = TypeVar("T", bound="ProviderOut")


@_attrs_define
class ProviderOut:
    """The tenant's account at a provider (never its key).

    Attributes:
        name (ProviderOutName):
        status (str): connected | rejected (the last check was refused)
        base_url (None | str):
        checked_at (datetime.datetime):
        detail (None | str | Unset):
        url (None | str | Unset):
        sip_host (None | str | Unset):
        origination_uri (None | str | Unset): Where the tenant's trunk toward this provider sends calls
        registrations (int | Unset): Numbers registered there by callplane Default: 0.
    """

    name: ProviderOutName
    status: str
    base_url: None | str
    checked_at: datetime.datetime
    detail: None | str | Unset = UNSET
    url: None | str | Unset = UNSET
    sip_host: None | str | Unset = UNSET
    origination_uri: None | str | Unset = UNSET
    registrations: int | Unset = 0
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name: str = self.name

        status = self.status

        base_url: None | str
        base_url = self.base_url

        checked_at = self.checked_at.isoformat()

        detail: None | str | Unset
        if isinstance(self.detail, Unset):
            detail = UNSET
        else:
            detail = self.detail

        url: None | str | Unset
        if isinstance(self.url, Unset):
            url = UNSET
        else:
            url = self.url

        sip_host: None | str | Unset
        if isinstance(self.sip_host, Unset):
            sip_host = UNSET
        else:
            sip_host = self.sip_host

        origination_uri: None | str | Unset
        if isinstance(self.origination_uri, Unset):
            origination_uri = UNSET
        else:
            origination_uri = self.origination_uri

        registrations = self.registrations

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "status": status,
                "base_url": base_url,
                "checked_at": checked_at,
            }
        )
        if detail is not UNSET:
            field_dict["detail"] = detail
        if url is not UNSET:
            field_dict["url"] = url
        if sip_host is not UNSET:
            field_dict["sip_host"] = sip_host
        if origination_uri is not UNSET:
            field_dict["origination_uri"] = origination_uri
        if registrations is not UNSET:
            field_dict["registrations"] = registrations

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = check_provider_out_name(d.pop("name"))

        status = d.pop("status")

        def _parse_base_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        base_url = _parse_base_url(d.pop("base_url"))

        checked_at = datetime.datetime.fromisoformat(d.pop("checked_at"))

        def _parse_detail(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        detail = _parse_detail(d.pop("detail", UNSET))

        def _parse_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        url = _parse_url(d.pop("url", UNSET))

        def _parse_sip_host(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        sip_host = _parse_sip_host(d.pop("sip_host", UNSET))

        def _parse_origination_uri(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        origination_uri = _parse_origination_uri(d.pop("origination_uri", UNSET))

        registrations = d.pop("registrations", UNSET)

        provider_out = cls(
            name=name,
            status=status,
            base_url=base_url,
            checked_at=checked_at,
            detail=detail,
            url=url,
            sip_host=sip_host,
            origination_uri=origination_uri,
            registrations=registrations,
        )

        provider_out.additional_properties = d
        return provider_out

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
