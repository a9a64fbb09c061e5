from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="ProviderPut")


@_attrs_define
class ProviderPut:
    """`PUT providers/{name}`: the tenant's API key there (LiveKit: project URL, key, secret and
    SIP host), verified with one harmless read before it is stored.

        Attributes:
            api_key (str):
            api_secret (None | str | Unset): LiveKit only: the API secret
            url (None | str | Unset): LiveKit only: the project URL, e.g. wss://acme.livekit.cloud
            sip_host (None | str | Unset): LiveKit only: the project's SIP host, e.g. acme.sip.livekit.cloud (LiveKit shows
                it in the project settings; it cannot be derived from the URL)
            base_url (None | str | Unset): Another API base URL (an emulator, a regional endpoint); must be public
    """

    api_key: str
    api_secret: None | str | Unset = UNSET
    url: None | str | Unset = UNSET
    sip_host: None | str | Unset = UNSET
    base_url: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        api_key = self.api_key

        api_secret: None | str | Unset
        if isinstance(self.api_secret, Unset):
            api_secret = UNSET
        else:
            api_secret = self.api_secret

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

        base_url: None | str | Unset
        if isinstance(self.base_url, Unset):
            base_url = UNSET
        else:
            base_url = self.base_url

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "api_key": api_key,
            }
        )
        if api_secret is not UNSET:
            field_dict["api_secret"] = api_secret
        if url is not UNSET:
            field_dict["url"] = url
        if sip_host is not UNSET:
            field_dict["sip_host"] = sip_host
        if base_url is not UNSET:
            field_dict["base_url"] = base_url

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        api_key = d.pop("api_key")

        def _parse_api_secret(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        api_secret = _parse_api_secret(d.pop("api_secret", UNSET))

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

        def _parse_base_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        base_url = _parse_base_url(d.pop("base_url", UNSET))

        provider_put = cls(
            api_key=api_key,
            api_secret=api_secret,
            url=url,
            sip_host=sip_host,
            base_url=base_url,
        )

        return provider_put
