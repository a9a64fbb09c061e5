"""Which of a number's channels callplane owns at Twilio, and what each owned channel means there.

A number has two channels, voice and SMS (DESIGN section 13). callplane wires, rewires and
restores only the channels it owns (`manage_voice`, `manage_sms`; `managed` is either one). Each
channel is a set of IncomingPhoneNumber fields; a TwiML application SID is part of its channel
because it wins over the URLs at Twilio. What a channel held before callplane took it over (at
import, by `PATCH manage`, by a trunk) is kept in `original_config` and put back when the
channel is given back or the number handed back. Pure: the Twilio calls are `numbers.ownership`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from callplane.numbers.models import PhoneNumber
from callplane.twilio.webhooks import WebhookUrls

CHANNELS = ("voice", "sms")
# The fields of each channel: URLs and application SIDs (cleared when callplane owns the
# channel), and their methods.
CHANNEL_FIELDS: dict[str, tuple[str, ...]] = {
    "voice": (
        "voice_url",
        "voice_method",
        "voice_fallback_url",
        "voice_fallback_method",
        "status_callback",
        "status_callback_method",
        "voice_application_sid",
    ),
    "sms": (
        "sms_url",
        "sms_method",
        "sms_fallback_url",
        "sms_fallback_method",
        "sms_application_sid",
    ),
}
TRUNK_FIELD = "trunk_sid"
# The Twilio fields kept in `original_config` (its public shape).
SAVED_FIELDS: tuple[str, ...] = (*CHANNEL_FIELDS["voice"], *CHANNEL_FIELDS["sms"], TRUNK_FIELD)
# Set in `original_config` once callplane put the number on a trunk: releasing puts it back.
TRUNK_TAKEN = "trunk_taken"


def _is_method(name: str) -> bool:
    return name.endswith("_method")


def wiring(urls: WebhookUrls) -> dict[str, str]:
    """Every field callplane sets on a number whose two channels it owns."""
    return {
        "voice_url": urls.voice,
        "voice_method": "POST",
        "voice_fallback_url": urls.voice_fallback,
        "voice_fallback_method": "POST",
        "status_callback": urls.status,
        "status_callback_method": "POST",
        "voice_application_sid": "",
        "sms_url": urls.sms,
        "sms_method": "POST",
        "sms_fallback_url": "",
        "sms_fallback_method": "POST",
        "sms_application_sid": "",
    }


def owned(full: Mapping[str, str], *, voice: bool, sms: bool) -> dict[str, str]:
    """The part of callplane's wiring that belongs to the channels it owns."""
    keep = (CHANNEL_FIELDS["voice"] if voice else ()) + (CHANNEL_FIELDS["sms"] if sms else ())
    return {k: v for k, v in full.items() if k in keep}


def of(number: PhoneNumber, full: Mapping[str, str]) -> dict[str, str]:
    """callplane's wiring of this number's owned channels."""
    return owned(full, voice=number.manage_voice, sms=number.manage_sms)


def _value(found: Mapping[str, Any] | Any, name: str) -> Any:
    if isinstance(found, Mapping):
        return found.get(name)
    return getattr(found, name, None)


def is_wired(found: Mapping[str, Any] | Any, wanted: Mapping[str, str]) -> bool:
    """Whether a Twilio number (an SDK instance or a listing's JSON record) already has the
    wanted URLs and application SIDs (methods are not compared)."""
    return all((_value(found, f) or "") == v for f, v in wanted.items() if not _is_method(f))


def snapshot(
    found: Mapping[str, Any] | Any, fields: tuple[str, ...] = SAVED_FIELDS
) -> dict[str, Any]:
    """The fields of a Twilio number (an SDK instance or a JSON record), as `original_config`
    keeps them (empty strings as null)."""
    return {f: (_value(found, f) or None) for f in fields}


def saved(number: PhoneNumber) -> dict[str, Any] | None:
    """The public `original_config`: the saved Twilio fields, nothing internal."""
    if number.original_config is None:
        return None
    return {f: number.original_config.get(f) for f in SAVED_FIELDS}


def save(number: PhoneNumber, found: Mapping[str, Any] | Any, fields: tuple[str, ...]) -> None:
    """Keep these fields of the Twilio number as what a give-back restores."""
    config = dict(number.original_config or {})
    config.update(snapshot(found, fields))
    number.original_config = config


def restore(number: PhoneNumber, channels: tuple[str, ...]) -> dict[str, str]:
    """The update that puts these channels back as they were saved (blank when nothing was:
    a bought number's channel goes back to unconfigured)."""
    config = number.original_config or {}
    fields: dict[str, str] = {}
    for channel in channels:
        for name in CHANNEL_FIELDS[channel]:
            value = config.get(name)
            fields[name] = value or ("POST" if _is_method(name) else "")
    return fields


def owned_channels(number: PhoneNumber) -> tuple[str, ...]:
    """The channels callplane owns on this number."""
    return tuple(c for c in CHANNELS if getattr(number, f"manage_{c}"))


def set_manage(number: PhoneNumber, *, voice: bool, sms: bool) -> None:
    """Record which channels callplane owns (`managed` is either one)."""
    number.manage_voice = voice
    number.manage_sms = sms
    number.managed = voice or sms


def take_trunk(number: PhoneNumber, current_trunk_sid: str | None) -> None:
    """callplane puts the number on its trunk: the trunk it was on before is kept, once."""
    config = dict(number.original_config or {})
    if not config.get(TRUNK_TAKEN):
        config[TRUNK_FIELD] = current_trunk_sid or None
        config[TRUNK_TAKEN] = True
        number.original_config = config


def trunk_to_restore(number: PhoneNumber) -> str | None:
    """The trunk SID a hand-back puts back ("" clears), or None when callplane never moved it."""
    config = number.original_config or {}
    if not config.get(TRUNK_TAKEN):
        return None
    return str(config.get(TRUNK_FIELD) or "")


def owners(number: PhoneNumber, *, provider: str | None = None) -> dict[str, str]:
    """Who owns each channel: `callplane`, `customer`, or what takes the voice channel before
    callplane's webhook does: the voice-AI provider the number is registered at
    (`provider:<name>`, DESIGN section 12), else the trunk it is on (`trunk`)."""
    voice = (
        f"provider:{provider}" if provider else ("trunk" if number.trunk_id is not None else None)
    )
    return {
        "voice": voice or ("callplane" if number.manage_voice else "customer"),
        "sms": "callplane" if number.manage_sms else "customer",
    }
