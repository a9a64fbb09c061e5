from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="OriginalConfig")


@_attrs_define
class OriginalConfig:
    """The number's Twilio configuration saved at import or take-over.

    Attributes:
        voice_url (None | str | Unset):
        voice_method (None | str | Unset):
        voice_fallback_url (None | str | Unset):
        voice_fallback_method (None | str | Unset):
        status_callback (None | str | Unset):
        status_callback_method (None | str | Unset):
        voice_application_sid (None | str | Unset):
        sms_url (None | str | Unset):
        sms_method (None | str | Unset):
        sms_fallback_url (None | str | Unset):
        sms_fallback_method (None | str | Unset):
        sms_application_sid (None | str | Unset):
        trunk_sid (None | str | Unset):
    """

    voice_url: None | str | Unset = UNSET
    voice_method: None | str | Unset = UNSET
    voice_fallback_url: None | str | Unset = UNSET
    voice_fallback_method: None | str | Unset = UNSET
    status_callback: None | str | Unset = UNSET
    status_callback_method: None | str | Unset = UNSET
    voice_application_sid: None | str | Unset = UNSET
    sms_url: None | str | Unset = UNSET
    sms_method: None | str | Unset = UNSET
    sms_fallback_url: None | str | Unset = UNSET
    sms_fallback_method: None | str | Unset = UNSET
    sms_application_sid: None | str | Unset = UNSET
    trunk_sid: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        voice_url: None | str | Unset
        if isinstance(self.voice_url, Unset):
            voice_url = UNSET
        else:
            voice_url = self.voice_url

        voice_method: None | str | Unset
        if isinstance(self.voice_method, Unset):
            voice_method = UNSET
        else:
            voice_method = self.voice_method

        voice_fallback_url: None | str | Unset
        if isinstance(self.voice_fallback_url, Unset):
            voice_fallback_url = UNSET
        else:
            voice_fallback_url = self.voice_fallback_url

        voice_fallback_method: None | str | Unset
        if isinstance(self.voice_fallback_method, Unset):
            voice_fallback_method = UNSET
        else:
            voice_fallback_method = self.voice_fallback_method

        status_callback: None | str | Unset
        if isinstance(self.status_callback, Unset):
            status_callback = UNSET
        else:
            status_callback = self.status_callback

        status_callback_method: None | str | Unset
        if isinstance(self.status_callback_method, Unset):
            status_callback_method = UNSET
        else:
            status_callback_method = self.status_callback_method

        voice_application_sid: None | str | Unset
        if isinstance(self.voice_application_sid, Unset):
            voice_application_sid = UNSET
        else:
            voice_application_sid = self.voice_application_sid

        sms_url: None | str | Unset
        if isinstance(self.sms_url, Unset):
            sms_url = UNSET
        else:
            sms_url = self.sms_url

        sms_method: None | str | Unset
        if isinstance(self.sms_method, Unset):
            sms_method = UNSET
        else:
            sms_method = self.sms_method

        sms_fallback_url: None | str | Unset
        if isinstance(self.sms_fallback_url, Unset):
            sms_fallback_url = UNSET
        else:
            sms_fallback_url = self.sms_fallback_url

        sms_fallback_method: None | str | Unset
        if isinstance(self.sms_fallback_method, Unset):
            sms_fallback_method = UNSET
        else:
            sms_fallback_method = self.sms_fallback_method

        sms_application_sid: None | str | Unset
        if isinstance(self.sms_application_sid, Unset):
            sms_application_sid = UNSET
        else:
            sms_application_sid = self.sms_application_sid

        trunk_sid: None | str | Unset
        if isinstance(self.trunk_sid, Unset):
            trunk_sid = UNSET
        else:
            trunk_sid = self.trunk_sid

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if voice_url is not UNSET:
            field_dict["voice_url"] = voice_url
        if voice_method is not UNSET:
            field_dict["voice_method"] = voice_method
        if voice_fallback_url is not UNSET:
            field_dict["voice_fallback_url"] = voice_fallback_url
        if voice_fallback_method is not UNSET:
            field_dict["voice_fallback_method"] = voice_fallback_method
        if status_callback is not UNSET:
            field_dict["status_callback"] = status_callback
        if status_callback_method is not UNSET:
            field_dict["status_callback_method"] = status_callback_method
        if voice_application_sid is not UNSET:
            field_dict["voice_application_sid"] = voice_application_sid
        if sms_url is not UNSET:
            field_dict["sms_url"] = sms_url
        if sms_method is not UNSET:
            field_dict["sms_method"] = sms_method
        if sms_fallback_url is not UNSET:
            field_dict["sms_fallback_url"] = sms_fallback_url
        if sms_fallback_method is not UNSET:
            field_dict["sms_fallback_method"] = sms_fallback_method
        if sms_application_sid is not UNSET:
            field_dict["sms_application_sid"] = sms_application_sid
        if trunk_sid is not UNSET:
            field_dict["trunk_sid"] = trunk_sid

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_voice_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        voice_url = _parse_voice_url(d.pop("voice_url", UNSET))

        def _parse_voice_method(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        voice_method = _parse_voice_method(d.pop("voice_method", UNSET))

        def _parse_voice_fallback_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        voice_fallback_url = _parse_voice_fallback_url(
            d.pop("voice_fallback_url", UNSET)
        )

        def _parse_voice_fallback_method(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        voice_fallback_method = _parse_voice_fallback_method(
            d.pop("voice_fallback_method", UNSET)
        )

        def _parse_status_callback(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        status_callback = _parse_status_callback(d.pop("status_callback", UNSET))

        def _parse_status_callback_method(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        status_callback_method = _parse_status_callback_method(
            d.pop("status_callback_method", UNSET)
        )

        def _parse_voice_application_sid(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        voice_application_sid = _parse_voice_application_sid(
            d.pop("voice_application_sid", UNSET)
        )

        def _parse_sms_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        sms_url = _parse_sms_url(d.pop("sms_url", UNSET))

        def _parse_sms_method(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        sms_method = _parse_sms_method(d.pop("sms_method", UNSET))

        def _parse_sms_fallback_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        sms_fallback_url = _parse_sms_fallback_url(d.pop("sms_fallback_url", UNSET))

        def _parse_sms_fallback_method(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        sms_fallback_method = _parse_sms_fallback_method(
            d.pop("sms_fallback_method", UNSET)
        )

        def _parse_sms_application_sid(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        sms_application_sid = _parse_sms_application_sid(
            d.pop("sms_application_sid", UNSET)
        )

        def _parse_trunk_sid(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        trunk_sid = _parse_trunk_sid(d.pop("trunk_sid", UNSET))

        original_config = cls(
            voice_url=voice_url,
            voice_method=voice_method,
            voice_fallback_url=voice_fallback_url,
            voice_fallback_method=voice_fallback_method,
            status_callback=status_callback,
            status_callback_method=status_callback_method,
            voice_application_sid=voice_application_sid,
            sms_url=sms_url,
            sms_method=sms_method,
            sms_fallback_url=sms_fallback_url,
            sms_fallback_method=sms_fallback_method,
            sms_application_sid=sms_application_sid,
            trunk_sid=trunk_sid,
        )

        original_config.additional_properties = d
        return original_config

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
