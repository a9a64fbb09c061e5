"""Taking a number's channels over, giving them back, and handing an imported number back: the
Twilio side of `numbers.channels` (one IncomingPhoneNumber update each, safe to repeat)."""

from __future__ import annotations

from typing import Any

from twilio.base.exceptions import TwilioRestException

from callplane.errors import ApiError, Conflict
from callplane.log import get_logger
from callplane.numbers import channels
from callplane.numbers.models import PhoneNumber
from callplane.numbers.remote import TwilioNumbers

log = get_logger(__name__)


def _refused(exc: ApiError) -> bool:
    """Twilio answered a refusal (4xx, not a rate limit): repeating it will not help."""
    cause = exc.__cause__
    return (
        isinstance(cause, TwilioRestException)
        and cause.status < 500
        and exc.details.get("twilio_code") != 20429
    )


async def hand_back(remote: TwilioNumbers, number: PhoneNumber) -> dict[str, Any]:
    """Put back what callplane changed on an imported number that stays the customer's: the
    channels it owns (as saved) and the trunk it moved it from. What was done, for the audit.

    The number gone from the account (20404) has nothing to restore. A saved trunk Twilio no
    longer accepts (deleted meanwhile) is left off, the rest restored: the number is not kept
    on callplane's trunk either way.
    """
    fields = channels.restore(number, channels.owned_channels(number))
    trunk = channels.trunk_to_restore(number)
    if trunk is not None:
        fields[channels.TRUNK_FIELD] = trunk
    if not fields or not number.twilio_sid:
        return {}
    done: dict[str, Any] = {"restored": sorted(fields)}
    try:
        await remote.update(
            number.twilio_sid, fields, account_sid=number.account_sid, action="hand back number"
        )
    except ApiError as exc:
        if exc.details.get("twilio_code") == 20404:
            return {"gone_at_twilio": True}
        if not trunk or not _refused(exc):
            raise
        log.warning(
            "saved trunk not restored", phone_number=number.e164, trunk_sid=trunk, code=exc.code
        )
        fields[channels.TRUNK_FIELD] = ""
        await remote.update(
            number.twilio_sid, fields, account_sid=number.account_sid, action="hand back number"
        )
        done["trunk_not_restored"] = trunk
    return done


async def change_channels(
    remote: TwilioNumbers, number: PhoneNumber, *, voice: bool, sms: bool
) -> dict[str, list[str]]:
    """Take channels over (what they held is saved) and give others back (restored as saved),
    in one update at Twilio; then record the new ownership on the row (not committed)."""
    wanted = {"voice": voice, "sms": sms}
    current = {"voice": number.manage_voice, "sms": number.manage_sms}
    take = tuple(c for c in channels.CHANNELS if wanted[c] and not current[c])
    give = tuple(c for c in channels.CHANNELS if current[c] and not wanted[c])
    if not take and not give:
        return {}
    if not number.twilio_sid:
        raise Conflict("the number is not active at Twilio yet", code="phone_number_not_active")
    found = None
    if take:
        found = await remote.fetch(number.twilio_sid, account_sid=number.account_sid)
        if found is None:
            raise Conflict(
                f"{number.e164} is no longer in the Twilio account {number.account_sid}",
                code="phone_number_gone",
            )
    fields = channels.restore(number, give)
    fields.update(channels.owned(remote.wiring, voice="voice" in take, sms="sms" in take))
    await remote.update(
        number.twilio_sid, fields, account_sid=number.account_sid, action="change number channels"
    )
    for channel in take:
        channels.save(number, found, channels.CHANNEL_FIELDS[channel])
    channels.set_manage(number, voice=voice, sms=sms)
    return {"taken": list(take), "given_back": list(give)}
