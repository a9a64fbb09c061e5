from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="TrunkPut")


@_attrs_define
class TrunkPut:
    """`PUT trunk`: the origination SIP URI (else CALLPLANE_ORIGINATION_SIP_URI).

    Attributes:
        origination_sip_uri (None | str | Unset): Where Twilio sends the tenant's inbound calls, e.g.
            sip:agent.example.com
    """

    origination_sip_uri: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        origination_sip_uri: None | str | Unset
        if isinstance(self.origination_sip_uri, Unset):
            origination_sip_uri = UNSET
        else:
            origination_sip_uri = self.origination_sip_uri

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if origination_sip_uri is not UNSET:
            field_dict["origination_sip_uri"] = origination_sip_uri

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_origination_sip_uri(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        origination_sip_uri = _parse_origination_sip_uri(
            d.pop("origination_sip_uri", UNSET)
        )

        trunk_put = cls(
            origination_sip_uri=origination_sip_uri,
        )

        return trunk_put
