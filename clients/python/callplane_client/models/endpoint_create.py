from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="EndpointCreate")


@_attrs_define
class EndpointCreate:
    """`POST webhook-endpoints`: where to send which events.

    Attributes:
        url (str): A public http(s) URL.
        events (list[str]): Event types to receive: exact (`message.received`), a family (`call.*`) or `*` for all.
        enabled (bool | Unset):  Default: True.
    """

    url: str
    events: list[str]
    enabled: bool | Unset = True

    def to_dict(self) -> dict[str, Any]:
        url = self.url

        events = self.events

        enabled = self.enabled

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "url": url,
                "events": events,
            }
        )
        if enabled is not UNSET:
            field_dict["enabled"] = enabled

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        url = d.pop("url")

        events = cast(list[str], d.pop("events"))

        enabled = d.pop("enabled", UNSET)

        endpoint_create = cls(
            url=url,
            events=events,
            enabled=enabled,
        )

        return endpoint_create
