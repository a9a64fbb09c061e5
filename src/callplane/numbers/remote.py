"""The Twilio calls of the numbers feature, in one tenant's account, each through `call_twilio`.

IncomingPhoneNumbers (find, fetch, buy, update, release), AvailablePhoneNumbers and number
pricing. Reads,
updates and deletes are retried; the purchase is not (Twilio may have made it: the caller looks
before it decides), except after a rate limit, which says nothing was done.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from callplane.connections.clients import TenantTwilio
from callplane.errors import ApiError
from callplane.log import get_logger
from callplane.numbers.channels import wiring
from callplane.twilio.errors import call_twilio

log = get_logger(__name__)


def capabilities_of(raw: Mapping[str, Any] | None) -> dict[str, bool]:
    """{voice, sms, mms} from Twilio's capabilities, whose keys come in either case.

    AvailablePhoneNumbers answer `{"voice": true, "SMS": true, "MMS": false}`, IncomingPhoneNumbers
    `{"voice": true, "sms": true, "mms": false, "fax": false}`.
    """
    lowered = {str(k).lower(): v for k, v in (raw or {}).items()}
    return {k: lowered.get(k) in (True, "true", "True", 1) for k in ("voice", "sms", "mms")}


class TwilioNumbers:
    """The numbers calls in one tenant's account."""

    def __init__(self, tw: TenantTwilio) -> None:
        self.tw = tw
        self.account_sid = tw.account_sid
        self.wiring = wiring(tw.urls)

    def _ipns(self, account_sid: str | None = None) -> Any:
        return self.tw.client.api.v2010.accounts(
            account_sid or self.account_sid
        ).incoming_phone_numbers

    async def find(self, e164: str, *, account_sid: str | None = None) -> Any | None:
        """The IncomingPhoneNumber with this E.164 in the account, or None."""
        ipns = self._ipns(account_sid)

        async def find() -> list[Any]:
            found: list[Any] = await ipns.list_async(phone_number=e164, limit=5)
            return found

        rows = await call_twilio(find, retry=True, action="look up number")
        return next((r for r in rows if r.phone_number == e164), None)

    async def fetch(self, twilio_sid: str, *, account_sid: str | None = None) -> Any | None:
        """The IncomingPhoneNumber with this SID, or None when the account no longer has it."""
        ipn = self._ipns(account_sid)(twilio_sid)

        async def fetch() -> Any:
            return await ipn.fetch_async()

        try:
            return await call_twilio(fetch, retry=True, action="fetch number")
        except ApiError as exc:
            if exc.details.get("twilio_code") == 20404:
                return None
            raise

    async def buy(self, e164: str, fields: Mapping[str, str], extra: Mapping[str, str]) -> Any:
        """IncomingPhoneNumbers create with these fields (callplane's wiring of the channels it
        owns). Only a rate limit is retried: an account buying a number it already owns is
        answered that number (201, as an update), so a retry cannot buy twice."""
        ipns = self._ipns()
        params = {"phone_number": e164, **fields, **extra}

        async def create() -> Any:
            return await ipns.create_async(**params)

        for attempt in range(3):
            try:
                return await call_twilio(create, retry=False, action="buy number")
            except ApiError as exc:
                if exc.details.get("twilio_code") == 20429 and attempt < 2:
                    await asyncio.sleep(0.5 * 2**attempt)
                    continue
                raise
        raise AssertionError("unreachable")  # pragma: no cover

    async def update(
        self,
        twilio_sid: str,
        fields: Mapping[str, str],
        *,
        account_sid: str | None = None,
        action: str = "wire number",
    ) -> Any:
        """Set fields of a number (wiring, restoring): an update, safe to repeat."""
        ipn = self._ipns(account_sid)(twilio_sid)
        values = dict(fields)

        async def update() -> Any:
            return await ipn.update_async(**values)

        return await call_twilio(update, retry=True, action=action)

    async def delete(self, twilio_sid: str, *, account_sid: str | None = None) -> bool:
        """Release a number at Twilio; False when Twilio no longer had it."""
        ipn = self._ipns(account_sid)(twilio_sid)

        async def delete() -> Any:
            return await ipn.delete_async()

        try:
            await call_twilio(delete, retry=True, action="release number")
        except ApiError as exc:
            if exc.details.get("twilio_code") == 20404:
                return False
            raise
        return True

    async def give_back(self, twilio_sid: str, *, account_sid: str) -> None:
        """Release a number that no row can own (best effort, logged)."""
        try:
            await self.delete(twilio_sid, account_sid=account_sid)
        except ApiError as exc:
            log.error("bought number could not be given back", twilio_sid=twilio_sid, code=exc.code)

    async def available(
        self, country: str, number_type: str, *, limit: int, filters: Mapping[str, Any]
    ) -> list[Any]:
        """Numbers Twilio offers in the account (AvailablePhoneNumbers of one type)."""
        lists = self.tw.client.api.v2010.accounts(self.account_sid).available_phone_numbers(country)
        lister = {"local": lists.local, "mobile": lists.mobile, "toll_free": lists.toll_free}[
            number_type
        ]

        async def search() -> list[Any]:
            found: list[Any] = await lister.list_async(limit=limit, **filters)
            return found

        return await call_twilio(search, retry=True, action="search numbers")

    async def pricing(self, country: str) -> Any:
        """The number prices of a country (pricing v1 PhoneNumbers Countries)."""
        countries = self.tw.client.pricing.v1.phone_numbers.countries

        async def fetch() -> Any:
            return await countries(country).fetch_async()

        return await call_twilio(fetch, retry=True, action="fetch number pricing")
