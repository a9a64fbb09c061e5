"""ElevenLabs through `elevenlabs`: a SIP-trunk phone number assigned to the agent, whose
outbound trunk is the tenant's trunk termination with its SIP credentials."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from elevenlabs.client import AsyncElevenLabs
from elevenlabs.conversational_ai.phone_numbers.types import PhoneNumbersCreateRequestBody_SipTrunk
from elevenlabs.core.api_error import ApiError
from elevenlabs.core.request_options import RequestOptions
from elevenlabs.types import OutboundSipTrunkConfigRequestModel, SipTrunkCredentialsRequestModel

from callplane.providers.adapters.base import (
    Adapter,
    Credentials,
    Placed,
    ProviderCallError,
    Push,
    Remote,
    kind_of_status,
    message_of,
)

SIP_URI = "sip:sip.rtc.elevenlabs.io:5060;transport=tcp"
ONCE: RequestOptions = {"max_retries": 0}  # the sync job retries, with backoff


class ElevenLabsAdapter(Adapter):
    """ElevenLabs Agents Platform: `convai/phone-numbers` with provider `sip_trunk`."""

    name = "elevenlabs"
    default_base_url = "https://api.elevenlabs.io"

    @asynccontextmanager
    async def client(self, creds: Credentials) -> AsyncIterator[Any]:
        """The SDK's `conversational_ai` client; failures come out as ProviderCallError."""
        async with self.http(creds) as http:
            sdk = AsyncElevenLabs(
                api_key=creds.api_key, base_url=self.base_url(creds), httpx_client=http
            )
            try:
                yield sdk.conversational_ai
            except ApiError as exc:
                status = exc.status_code or 500
                raise ProviderCallError(
                    self.name, kind_of_status(status), message_of(exc.body, str(exc)), status=status
                ) from None
            except httpx.TransportError as exc:
                raise self.transport_error(exc) from None

    async def verify(self, creds: Credentials) -> None:
        """`agents.list(page_size=1)`."""
        async with self.client(creds) as convai:
            await convai.agents.list(page_size=1, request_options=ONCE)

    async def check_agent(self, creds: Credentials, agent_id: str) -> None:
        """`agents.get`."""
        async with self.client(creds) as convai:
            await convai.agents.get(agent_id, request_options=ONCE)

    def origination_uri(self, creds: Credentials, account_refs: dict[str, Any]) -> str | None:
        """ElevenLabs' SIP server (TCP)."""
        return SIP_URI

    @staticmethod
    def _outbound(push: Push) -> OutboundSipTrunkConfigRequestModel:
        return OutboundSipTrunkConfigRequestModel(
            address=push.termination_host,
            transport="tcp",
            credentials=SipTrunkCredentialsRequestModel(
                username=push.username, password=push.password
            ),
        )

    async def upsert(
        self, creds: Credentials, account_refs: dict[str, Any], current: Placed | None, push: Push
    ) -> Placed:
        """Update the number by its id; create it when it has none (or it is gone there)."""
        async with self.client(creds) as convai:
            number_id = current.registration_id if current else None
            if number_id is None:
                number_id = await self._find(convai, push.phone_number)
            if number_id is not None:
                try:
                    await convai.phone_numbers.update(
                        number_id,
                        agent_id=push.agent_id,
                        label=push.label,
                        outbound_trunk_config=self._outbound(push),
                        request_options=ONCE,
                    )
                    return Placed(registration_id=number_id)
                except ApiError as exc:
                    if exc.status_code != 404:
                        raise
            created = await convai.phone_numbers.create(
                request=PhoneNumbersCreateRequestBody_SipTrunk(
                    phone_number=push.phone_number,
                    label=push.label,
                    agent_id=push.agent_id,
                    outbound_trunk_config=self._outbound(push),
                ),
                request_options=ONCE,
            )
            return Placed(registration_id=created.phone_number_id)

    async def _find(self, convai: Any, phone_number: str) -> str | None:
        """The id of a number already there (an earlier attempt's, whose answer was lost)."""
        for item in await convai.phone_numbers.list(request_options=ONCE):
            if item.phone_number == phone_number:
                return str(item.phone_number_id)
        return None

    async def remove(self, creds: Credentials, placed: Placed, phone_number: str) -> None:
        """`phone_numbers.delete`."""
        async with self.client(creds) as convai:
            try:
                await convai.phone_numbers.delete(placed.registration_id, request_options=ONCE)
            except ApiError as exc:
                if exc.status_code != 404:
                    raise

    async def inventory(self, creds: Credentials) -> list[Remote]:
        """`phone_numbers.list`."""
        async with self.client(creds) as convai:
            items = await convai.phone_numbers.list(request_options=ONCE)
        return [
            Remote(
                i.phone_number,
                i.phone_number_id,
                i.assigned_agent.agent_id if i.assigned_agent else None,
            )
            for i in items
        ]
