from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="TrunkOut")


@_attrs_define
class TrunkOut:
    """A tenant's Elastic SIP trunk.

    Attributes:
        id (UUID):
        sid (str):
        account_sid (str):
        friendly_name (str):
        domain_name (str):
        termination_uri (str): Where the provider sends outbound calls
        origination_uri (None | str): Where Twilio sends inbound calls
        sip_username (None | str):
        origin (str): created | found (re-found by its tag) | adopted (legacy)
        status (str):
        created_at (datetime.datetime):
        sip_password (None | str | Unset): Only in the answer that created, reissued or rotated it
        password_reissued (bool | Unset): True when the trunk already existed but its password could not be recovered (a
            lost database row, an adopted legacy trunk): a new one was set Default: False.
        phone_numbers (list[str] | Unset): E.164 numbers on the trunk
    """

    id: UUID
    sid: str
    account_sid: str
    friendly_name: str
    domain_name: str
    termination_uri: str
    origination_uri: None | str
    sip_username: None | str
    origin: str
    status: str
    created_at: datetime.datetime
    sip_password: None | str | Unset = UNSET
    password_reissued: bool | Unset = False
    phone_numbers: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        sid = self.sid

        account_sid = self.account_sid

        friendly_name = self.friendly_name

        domain_name = self.domain_name

        termination_uri = self.termination_uri

        origination_uri: None | str
        origination_uri = self.origination_uri

        sip_username: None | str
        sip_username = self.sip_username

        origin = self.origin

        status = self.status

        created_at = self.created_at.isoformat()

        sip_password: None | str | Unset
        if isinstance(self.sip_password, Unset):
            sip_password = UNSET
        else:
            sip_password = self.sip_password

        password_reissued = self.password_reissued

        phone_numbers: list[str] | Unset = UNSET
        if not isinstance(self.phone_numbers, Unset):
            phone_numbers = self.phone_numbers

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "sid": sid,
                "account_sid": account_sid,
                "friendly_name": friendly_name,
                "domain_name": domain_name,
                "termination_uri": termination_uri,
                "origination_uri": origination_uri,
                "sip_username": sip_username,
                "origin": origin,
                "status": status,
                "created_at": created_at,
            }
        )
        if sip_password is not UNSET:
            field_dict["sip_password"] = sip_password
        if password_reissued is not UNSET:
            field_dict["password_reissued"] = password_reissued
        if phone_numbers is not UNSET:
            field_dict["phone_numbers"] = phone_numbers

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        sid = d.pop("sid")

        account_sid = d.pop("account_sid")

        friendly_name = d.pop("friendly_name")

        domain_name = d.pop("domain_name")

        termination_uri = d.pop("termination_uri")

        def _parse_origination_uri(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        origination_uri = _parse_origination_uri(d.pop("origination_uri"))

        def _parse_sip_username(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        sip_username = _parse_sip_username(d.pop("sip_username"))

        origin = d.pop("origin")

        status = d.pop("status")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_sip_password(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        sip_password = _parse_sip_password(d.pop("sip_password", UNSET))

        password_reissued = d.pop("password_reissued", UNSET)

        phone_numbers = cast(list[str], d.pop("phone_numbers", UNSET))

        trunk_out = cls(
            id=id,
            sid=sid,
            account_sid=account_sid,
            friendly_name=friendly_name,
            domain_name=domain_name,
            termination_uri=termination_uri,
            origination_uri=origination_uri,
            sip_username=sip_username,
            origin=origin,
            status=status,
            created_at=created_at,
            sip_password=sip_password,
            password_reissued=password_reissued,
            phone_numbers=phone_numbers,
        )

        trunk_out.additional_properties = d
        return trunk_out

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
