from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.sms_in_mode import SmsInMode, check_sms_in_mode
from ..types import UNSET, Unset

T = TypeVar("T", bound="SmsIn")


@_attrs_define
class SmsIn:
    """How messages to the agent's numbers are handled.

    Attributes:
        mode (SmsInMode | Unset):  Default: 'none'.
        url (None | str | Unset):
        reply (None | str | Unset):
    """

    mode: SmsInMode | Unset = "none"
    url: None | str | Unset = UNSET
    reply: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        mode: str | Unset = UNSET
        if not isinstance(self.mode, Unset):
            mode = self.mode

        url: None | str | Unset
        if isinstance(self.url, Unset):
            url = UNSET
        else:
            url = self.url

        reply: None | str | Unset
        if isinstance(self.reply, Unset):
            reply = UNSET
        else:
            reply = self.reply

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if mode is not UNSET:
            field_dict["mode"] = mode
        if url is not UNSET:
            field_dict["url"] = url
        if reply is not UNSET:
            field_dict["reply"] = reply

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        _mode = d.pop("mode", UNSET)
        mode: SmsInMode | Unset
        if isinstance(_mode, Unset):
            mode = UNSET
        else:
            mode = check_sms_in_mode(_mode)

        def _parse_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        url = _parse_url(d.pop("url", UNSET))

        def _parse_reply(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        reply = _parse_reply(d.pop("reply", UNSET))

        sms_in = cls(
            mode=mode,
            url=url,
            reply=reply,
        )

        return sms_in
