"""Retell through `retell-sdk`: a custom-telephony number imported with the trunk's termination
URI and SIP credentials, bound to the agent for inbound and outbound calls."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import retell

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

SIP_URI = "sip:sip.retellai.com;transport=tcp"
PAGE = 1000


class RetellAdapter(Adapter):
    """Retell: `import-phone-number` and friends; the number is its own registration id."""

    name = "retell"
    default_base_url = "https://api.retellai.com"

    @asynccontextmanager
    async def client(self, creds: Credentials) -> AsyncIterator[retell.AsyncRetell]:
        """An SDK client whose failures come out as ProviderCallError."""
        async with self.http(creds) as http:
            sdk = retell.AsyncRetell(
                api_key=creds.api_key,
                base_url=self.base_url(creds),
                http_client=http,
                max_retries=0,
            )
            try:
                yield sdk
            except retell.APIStatusError as exc:
                raise ProviderCallError(
                    self.name,
                    kind_of_status(exc.status_code),
                    message_of(exc.body, exc.message),
                    status=exc.status_code,
                ) from None
            except retell.APIConnectionError as exc:
                raise self.transport_error(exc) from None

    async def verify(self, creds: Credentials) -> None:
        """`agent.list(limit=1)`."""
        async with self.client(creds) as sdk:
            await sdk.agent.list(limit=1)

    async def check_agent(self, creds: Credentials, agent_id: str) -> None:
        """`agent.retrieve`."""
        async with self.client(creds) as sdk:
            await sdk.agent.retrieve(agent_id)

    def origination_uri(self, creds: Credentials, account_refs: dict[str, Any]) -> str | None:
        """Retell's SIP server."""
        return SIP_URI

    async def upsert(
        self, creds: Credentials, account_refs: dict[str, Any], current: Placed | None, push: Push
    ) -> Placed:
        """Update the imported number, or import it (also when an earlier import was lost)."""
        agents: Any = [{"agent_id": push.agent_id, "weight": 1}]
        async with self.client(creds) as sdk:
            try:
                await sdk.phone_number.update(
                    push.phone_number,
                    termination_uri=push.termination_host,
                    auth_username=push.username,
                    auth_password=push.password,
                    inbound_agents=agents,
                    outbound_agents=agents,
                    nickname=push.label,
                )
            except retell.NotFoundError:
                await sdk.phone_number.import_(
                    phone_number=push.phone_number,
                    termination_uri=push.termination_host,
                    sip_trunk_auth_username=push.username,
                    sip_trunk_auth_password=push.password,
                    inbound_agents=agents,
                    outbound_agents=agents,
                    nickname=push.label,
                )
        return Placed(registration_id=push.phone_number)

    async def remove(self, creds: Credentials, placed: Placed, phone_number: str) -> None:
        """`delete-phone-number`."""
        async with self.client(creds) as sdk:
            try:
                await sdk.phone_number.delete(placed.registration_id or phone_number)
            except retell.NotFoundError:
                pass

    async def inventory(self, creds: Credentials) -> list[Remote]:
        """Every imported number, page by page."""
        found: list[Remote] = []
        async with self.client(creds) as sdk:
            key: str | None = None
            while True:
                page = await (
                    sdk.phone_number.list(limit=PAGE, pagination_key=key)
                    if key
                    else sdk.phone_number.list(limit=PAGE)
                )
                for n in page.items:
                    agents = sorted(n.inbound_agents or [], key=lambda a: -(a.weight or 0))
                    found.append(
                        Remote(
                            n.phone_number, n.phone_number, agents[0].agent_id if agents else None
                        )
                    )
                if not page.has_more or not page.pagination_key:
                    return found
                key = page.pagination_key
