"""The channel vocabulary of a number (`numbers.channels`): pure functions."""

from __future__ import annotations

import uuid

from callplane.numbers import channels
from callplane.numbers.lifecycle import new_number
from callplane.numbers.models import PhoneNumber
from callplane.numbers.states import NumberOrigin
from callplane.twilio.webhooks import WebhookUrls

URLS = WebhookUrls(
    voice="https://cp.example/v",
    sms="https://cp.example/s",
    status="https://cp.example/st",
    recording="https://cp.example/r",
    voice_fallback="https://cp.example/vf",
)


def _number(**fields: object) -> PhoneNumber:
    return new_number(origin=NumberOrigin.imported, id=uuid.uuid4(), e164="+14155550100", **fields)


def test_only_the_owned_channels_are_wired_and_compared() -> None:
    full = channels.wiring(URLS)
    voice = channels.owned(full, voice=True, sms=False)
    assert set(voice) == set(channels.CHANNEL_FIELDS["voice"])
    assert voice["voice_fallback_url"] == URLS.voice_fallback
    assert voice["voice_application_sid"] == ""  # an application would win over the URL
    assert channels.owned(full, voice=False, sms=False) == {}
    twilio = {**full, "sms_url": "https://customer.example/sms", "voice_application_sid": None}
    assert channels.is_wired(twilio, voice)  # None and "" are the same; SMS is not compared
    assert not channels.is_wired(twilio, channels.owned(full, voice=True, sms=True))
    assert not channels.is_wired({**twilio, "voice_method": "GET", "voice_url": "x"}, voice)
    assert channels.is_wired({**twilio, "voice_method": "GET"}, voice)  # methods are not


def test_restore_puts_back_what_was_saved_or_nothing() -> None:
    number = _number()
    assert channels.restore(number, ("sms",)) == {
        "sms_url": "",
        "sms_method": "POST",
        "sms_fallback_url": "",
        "sms_fallback_method": "POST",
        "sms_application_sid": "",
    }
    found = {"sms_url": "https://customer.example/sms", "sms_method": "GET", "voice_url": "v"}
    channels.save(number, found, channels.CHANNEL_FIELDS["sms"])
    restored = channels.restore(number, ("sms",))
    assert restored["sms_url"] == found["sms_url"] and restored["sms_method"] == "GET"
    assert "voice_url" not in restored
    assert channels.saved(number) is not None and channels.saved(number)["voice_url"] is None  # type: ignore[index]


def test_the_trunk_is_saved_once_and_restored() -> None:
    number = _number()
    assert channels.trunk_to_restore(number) is None  # never moved: never touched
    channels.take_trunk(number, "TK" + "1" * 32)
    channels.take_trunk(number, "TK" + "2" * 32)  # already callplane's trunk: not saved again
    assert channels.trunk_to_restore(number) == "TK" + "1" * 32
    other = _number()
    channels.take_trunk(other, None)
    assert channels.trunk_to_restore(other) == ""  # it was on no trunk: cleared
    assert "trunk_taken" not in (channels.saved(other) or {})


def test_who_owns_each_channel() -> None:
    number = _number()
    channels.set_manage(number, voice=False, sms=True)
    assert number.managed is True
    assert channels.owners(number) == {"voice": "customer", "sms": "callplane"}
    number.trunk_id = uuid.uuid4()
    assert channels.owners(number)["voice"] == "trunk"
    # A number registered at a voice-AI provider (on that provider's trunk) is the provider's.
    assert channels.owners(number, provider="retell") == {
        "voice": "provider:retell",
        "sms": "callplane",
    }
    channels.set_manage(number, voice=False, sms=False)
    assert number.managed is False
