"""The Twilio calls of the trunks feature, in one account, each through `call_twilio`.

Creating calls are not repeated on failure (Twilio might have made the resource): the service
looks before it creates, and a create that fails after Twilio may have acted (a 5xx, a dropped
connection) looks again for what it made (`create_once`). Reads, updates and deletes are
retried; a 404 on them means "not there" (None / False).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

from callplane.errors import ApiError
from callplane.trunks import naming
from callplane.twilio.errors import call_twilio, create_once
from callplane.twilio.factory import TwilioCredentials, TwilioFactory

T = TypeVar("T")
TWILIO_PAGE_SIZE = 1000


def twilio_code(exc: ApiError) -> int | None:
    """The Twilio error code an API error carries, if any."""
    return cast("int | None", exc.details.get("twilio_code"))


class TwilioTrunking:
    """The Twilio calls trunks need, in one account, each through `call_twilio`."""

    def __init__(self, twilio: TwilioFactory, creds: TwilioCredentials) -> None:
        self.client = twilio.client(creds)
        self.account_sid = creds.account_sid

    @property
    def _trunks(self) -> Any:
        return self.client.trunking.v1.trunks

    @property
    def _lists(self) -> Any:
        return self.client.api.v2010.accounts(self.account_sid).sip.credential_lists

    async def _call(self, op: Callable[[], Awaitable[T]], *, retry: bool, action: str) -> T:
        return await call_twilio(op, retry=retry, action=action)

    async def _maybe(self, op: Callable[[], Awaitable[T]], *, action: str) -> T | None:
        """A repeatable call whose 404 means "not there" (None)."""
        try:
            return await self._call(op, retry=True, action=action)
        except ApiError as exc:
            if twilio_code(exc) == 20404:
                return None
            raise

    # trunks
    async def fetch_trunk(self, sid: str) -> Any | None:
        return await self._maybe(lambda: self._trunks(sid).fetch_async(), action="fetch trunk")

    async def list_trunks(self) -> list[Any]:
        return await self._call(
            lambda: self._trunks.list_async(page_size=TWILIO_PAGE_SIZE),
            retry=True,
            action="list trunks",
        )

    async def create_trunk(self, names: naming.TrunkNames) -> Any:
        async def made() -> Any | None:
            return next(
                (t for t in await self.list_trunks() if t.friendly_name == names.friendly_name),
                None,
            )

        return await create_once(
            lambda: self._trunks.create_async(
                friendly_name=names.friendly_name, domain_name=names.domain_name
            ),
            find=made,
            action="create trunk",
        )

    async def rename_trunk(self, sid: str, friendly_name: str, domain_name: str | None) -> Any:
        """A new friendly name; and a domain, when one is given (a trunk made without one)."""
        extra = {"domain_name": domain_name} if domain_name else {}
        return await self._call(
            lambda: self._trunks(sid).update_async(friendly_name=friendly_name, **extra),
            retry=True,
            action="rename trunk",
        )

    async def delete_trunk(self, sid: str) -> bool:
        return bool(
            await self._maybe(lambda: self._trunks(sid).delete_async(), action="delete trunk")
        )

    # origination URLs
    async def list_origination_urls(self, trunk_sid: str) -> list[Any]:
        return await self._call(
            lambda: self._trunks(trunk_sid).origination_urls.list_async(),
            retry=True,
            action="list origination URLs",
        )

    async def create_origination_url(self, trunk_sid: str, name: str, sip_url: str) -> Any:
        async def made() -> Any | None:
            urls = await self.list_origination_urls(trunk_sid)
            return next((u for u in urls if u.sip_url == sip_url), None)

        return await create_once(
            lambda: self._trunks(trunk_sid).origination_urls.create_async(
                weight=10, priority=10, enabled=True, friendly_name=name, sip_url=sip_url
            ),
            find=made,
            action="create origination URL",
        )

    async def update_origination_url(self, trunk_sid: str, sid: str, sip_url: str) -> Any:
        return await self._call(
            lambda: (
                self._trunks(trunk_sid)
                .origination_urls(sid)
                .update_async(sip_url=sip_url, enabled=True)
            ),
            retry=True,
            action="update origination URL",
        )

    # credential lists
    async def list_trunk_credential_lists(self, trunk_sid: str) -> list[Any]:
        return await self._call(
            lambda: self._trunks(trunk_sid).credentials_lists.list_async(),
            retry=True,
            action="list trunk credential lists",
        )

    async def attach_credential_list(self, trunk_sid: str, cl_sid: str) -> Any:
        async def made() -> Any | None:
            attached = await self.list_trunk_credential_lists(trunk_sid)
            return next((c for c in attached if c.sid == cl_sid), None)

        return await create_once(
            lambda: self._trunks(trunk_sid).credentials_lists.create_async(
                credential_list_sid=cl_sid
            ),
            find=made,
            action="attach credential list",
        )

    async def detach_credential_list(self, trunk_sid: str, cl_sid: str) -> bool:
        return bool(
            await self._maybe(
                lambda: self._trunks(trunk_sid).credentials_lists(cl_sid).delete_async(),
                action="detach credential list",
            )
        )

    async def list_credential_lists(self) -> list[Any]:
        return await self._call(
            lambda: self._lists.list_async(page_size=TWILIO_PAGE_SIZE),
            retry=True,
            action="list credential lists",
        )

    async def create_credential_list(self, name: str) -> Any:
        async def made() -> Any | None:
            lists = await self.list_credential_lists()
            return next((c for c in lists if c.friendly_name == name), None)

        return await create_once(
            lambda: self._lists.create_async(friendly_name=name),
            find=made,
            action="create credential list",
        )

    async def delete_credential_list(self, sid: str) -> bool:
        return bool(
            await self._maybe(
                lambda: self._lists(sid).delete_async(), action="delete credential list"
            )
        )

    async def list_credentials(self, cl_sid: str) -> list[Any]:
        return await self._call(
            lambda: self._lists(cl_sid).credentials.list_async(),
            retry=True,
            action="list SIP credentials",
        )

    async def create_credential(self, cl_sid: str, username: str, password: str) -> Any:
        async def made() -> Any | None:
            credentials = await self.list_credentials(cl_sid)
            return next((c for c in credentials if c.username == username), None)

        return await create_once(
            lambda: self._lists(cl_sid).credentials.create_async(
                username=username, password=password
            ),
            find=made,
            action="create SIP credential",
        )

    async def set_password(self, cl_sid: str, sid: str, password: str) -> Any | None:
        return await self._maybe(
            lambda: self._lists(cl_sid).credentials(sid).update_async(password=password),
            action="set SIP password",
        )

    # recording
    async def fetch_recording(self, trunk_sid: str) -> Any | None:
        return await self._maybe(
            lambda: self._trunks(trunk_sid).recordings().fetch_async(),
            action="fetch trunk recording",
        )

    async def set_recording(self, trunk_sid: str, mode: str) -> Any:
        return await self._call(
            lambda: self._trunks(trunk_sid).recordings().update_async(mode=mode),
            retry=True,
            action="set trunk recording",
        )

    # phone numbers
    async def list_trunk_numbers(self, trunk_sid: str) -> list[Any]:
        return await self._call(
            lambda: self._trunks(trunk_sid).phone_numbers.list_async(page_size=TWILIO_PAGE_SIZE),
            retry=True,
            action="list trunk phone numbers",
        )

    async def associate_number(self, trunk_sid: str, number_sid: str) -> Any:
        return await self._call(
            lambda: self._trunks(trunk_sid).phone_numbers.create_async(phone_number_sid=number_sid),
            retry=True,  # associating twice leaves the number on the same trunk
            action="associate number with trunk",
        )

    async def disassociate_number(self, trunk_sid: str, number_sid: str) -> bool:
        return bool(
            await self._maybe(
                lambda: self._trunks(trunk_sid).phone_numbers(number_sid).delete_async(),
                action="disassociate number from trunk",
            )
        )

    async def fetch_number(self, number_sid: str) -> Any | None:
        numbers = self.client.api.v2010.accounts(self.account_sid).incoming_phone_numbers
        return await self._maybe(lambda: numbers(number_sid).fetch_async(), action="fetch number")

    async def set_emergency_address(self, number_sid: str, address_sid: str) -> Any:
        numbers = self.client.api.v2010.accounts(self.account_sid).incoming_phone_numbers
        return await self._call(
            lambda: numbers(number_sid).update_async(
                emergency_address_sid=address_sid, emergency_status="Active"
            ),
            retry=True,
            action="set emergency address",
        )
