"""LiveKit through `livekit-api`: for each number an inbound trunk taking its calls, a dispatch
rule sending them to the agent (by name), and an outbound trunk to the tenant's trunk termination
with its SIP credentials.

LiveKit has no API that says whether an agent exists (agents are workers that register when they
run): an agent name is checked for form only (docs/decisions.md).
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from livekit import api as lk
from livekit.protocol import agent_dispatch as lk_dispatch
from livekit.protocol import room as lk_room
from livekit.protocol import sip as lk_sip

from callplane.providers.adapters.base import (
    Adapter,
    Credentials,
    Placed,
    ProviderCallError,
    Push,
    Remote,
    kind_of_status,
)
from callplane.security.public_urls import check_public_url, public_addresses

AGENT_NAME_MAX = 128
ROOM_PREFIX = "call-"


class _PublicResolver(AbstractResolver):
    """aiohttp's name resolution, refusing hosts that resolve to a non-public address."""

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        found = await asyncio.to_thread(public_addresses, host, port, url=f"//{host}:{port}")
        return [
            ResolveResult(
                hostname=host,
                host=address,
                port=port,
                family=socket.AF_INET6 if ":" in address else socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
            for address in found
        ]

    async def close(self) -> None:
        return None


class LiveKitAdapter(Adapter):
    """LiveKit's SIP service (Twirp)."""

    name = "livekit"
    default_base_url = ""  # a LiveKit project's URL is always the tenant's own

    def base_url(self, creds: Credentials) -> str:
        """The project URL (http(s) for the API; the SDK takes ws(s) too)."""
        url = (creds.url or creds.base_url or "").rstrip("/")
        for ws, http in (("wss://", "https://"), ("ws://", "http://")):
            if url.startswith(ws):
                return http + url[len(ws) :]
        return url

    @asynccontextmanager
    async def client(self, creds: Credentials) -> AsyncIterator[Any]:
        """The SDK's SIP service; failures come out as ProviderCallError."""
        url = self.base_url(creds)
        try:
            check_public_url(url, allow_private=creds.allow_private)
        except Exception as exc:  # noqa: BLE001 - UrlNotAllowed: a refusal, not a crash
            raise ProviderCallError(self.name, "refused", str(exc)) from None
        connector = aiohttp.TCPConnector(
            resolver=None if creds.allow_private else _PublicResolver()
        )
        timeout = aiohttp.ClientTimeout(total=creds.timeout)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
            lkapi = lk.LiveKitAPI(
                url, creds.api_key, creds.api_secret, session=session, failover=False
            )
            try:
                yield lkapi.sip
            except lk.TwirpError as exc:
                status = exc.status or 500
                kind = "not_found" if exc.code == "not_found" else kind_of_status(status)
                raise ProviderCallError(self.name, kind, exc.message, status=status) from None
            except (aiohttp.ClientError, TimeoutError) as exc:
                raise self.transport_error(exc) from None

    async def verify(self, creds: Credentials) -> None:
        """`list_inbound_trunk` (the SIP admin grant is what callplane needs)."""
        async with self.client(creds) as sip:
            await sip.list_inbound_trunk(lk_sip.ListSIPInboundTrunkRequest())

    async def check_agent(self, creds: Credentials, agent_id: str) -> None:
        """A LiveKit agent is a name: checked for form (no API lists running agents)."""
        name = agent_id.strip()
        if not name or len(name) > AGENT_NAME_MAX or any(c.isspace() for c in name):
            raise ProviderCallError(
                self.name,
                "invalid",
                f"a LiveKit agent name is 1-{AGENT_NAME_MAX} characters without spaces",
            )

    def origination_uri(self, creds: Credentials, account_refs: dict[str, Any]) -> str | None:
        """The project's SIP host (given with the credentials)."""
        host = (creds.sip_host or "").strip()
        if not host:
            return None
        return host if host.lower().startswith("sip:") else f"sip:{host}"

    @staticmethod
    def _rule(inbound_id: str, push: Push) -> lk_sip.SIPDispatchRuleInfo:
        return lk_sip.SIPDispatchRuleInfo(
            name=push.label,
            trunk_ids=[inbound_id],
            rule=lk_sip.SIPDispatchRule(
                dispatch_rule_individual=lk_sip.SIPDispatchRuleIndividual(room_prefix=ROOM_PREFIX)
            ),
            room_config=lk_room.RoomConfiguration(
                agents=[lk_dispatch.RoomAgentDispatch(agent_name=push.agent_id)]
            ),
        )

    async def upsert(
        self, creds: Credentials, account_refs: dict[str, Any], current: Placed | None, push: Push
    ) -> Placed:
        """Inbound trunk, dispatch rule and outbound trunk: each found again or made."""
        number = push.phone_number
        async with self.client(creds) as sip:
            inbound = next(
                (
                    t
                    for t in (
                        await sip.list_inbound_trunk(
                            lk_sip.ListSIPInboundTrunkRequest(numbers=[number])
                        )
                    ).items
                    if number in t.numbers
                ),
                None,
            )
            if inbound is None:
                inbound = await sip.create_inbound_trunk(
                    lk_sip.CreateSIPInboundTrunkRequest(
                        trunk=lk_sip.SIPInboundTrunkInfo(name=push.label, numbers=[number])
                    )
                )
            rules = (
                await sip.list_dispatch_rule(
                    lk_sip.ListSIPDispatchRuleRequest(trunk_ids=[inbound.sip_trunk_id])
                )
            ).items
            rule = next((r for r in rules if inbound.sip_trunk_id in r.trunk_ids), None)
            info = self._rule(inbound.sip_trunk_id, push)
            if rule is None:
                rule = await sip.create_dispatch_rule(
                    lk_sip.CreateSIPDispatchRuleRequest(dispatch_rule=info)
                )
            else:
                rule = await sip.update_dispatch_rule(rule.sip_dispatch_rule_id, info)
            outbound = next(
                (
                    t
                    for t in (
                        await sip.list_outbound_trunk(
                            lk_sip.ListSIPOutboundTrunkRequest(numbers=[number])
                        )
                    ).items
                    if number in t.numbers
                ),
                None,
            )
            if outbound is None:
                outbound = await sip.create_outbound_trunk(
                    lk_sip.CreateSIPOutboundTrunkRequest(
                        trunk=lk_sip.SIPOutboundTrunkInfo(
                            name=push.label,
                            address=push.termination_host,
                            transport=lk_sip.SIP_TRANSPORT_TCP,
                            numbers=[number],
                            auth_username=push.username,
                            auth_password=push.password,
                        )
                    )
                )
            else:
                outbound = await sip.update_outbound_trunk_fields(
                    outbound.sip_trunk_id,
                    address=push.termination_host,
                    transport=lk_sip.SIP_TRANSPORT_TCP,
                    auth_username=push.username,
                    auth_password=push.password,
                )
        return Placed(
            registration_id=inbound.sip_trunk_id,
            refs={
                "dispatch_rule_id": rule.sip_dispatch_rule_id,
                "outbound_trunk_id": outbound.sip_trunk_id,
            },
        )

    async def remove(self, creds: Credentials, placed: Placed, phone_number: str) -> None:
        """The number's dispatch rules and trunks, found by the number (gone already is fine)."""
        async with self.client(creds) as sip:
            inbound = [
                t.sip_trunk_id
                for t in (
                    await sip.list_inbound_trunk(
                        lk_sip.ListSIPInboundTrunkRequest(numbers=[phone_number])
                    )
                ).items
                if phone_number in t.numbers
            ]
            if inbound:
                rules = (
                    await sip.list_dispatch_rule(
                        lk_sip.ListSIPDispatchRuleRequest(trunk_ids=inbound)
                    )
                ).items
                for rule in rules:
                    if set(rule.trunk_ids) & set(inbound):
                        await self._gone_ok(
                            sip.delete_dispatch_rule(
                                lk_sip.DeleteSIPDispatchRuleRequest(
                                    sip_dispatch_rule_id=rule.sip_dispatch_rule_id
                                )
                            )
                        )
            outbound = [
                t.sip_trunk_id
                for t in (
                    await sip.list_outbound_trunk(
                        lk_sip.ListSIPOutboundTrunkRequest(numbers=[phone_number])
                    )
                ).items
                if phone_number in t.numbers
            ]
            for trunk_id in inbound + outbound:
                await self._gone_ok(
                    sip.delete_trunk(lk_sip.DeleteSIPTrunkRequest(sip_trunk_id=trunk_id))
                )

    @staticmethod
    async def _gone_ok(call: Any) -> None:
        try:
            await call
        except lk.TwirpError as exc:
            if exc.code != "not_found":
                raise

    async def inventory(self, creds: Credentials) -> list[Remote]:
        """Every number of the project's inbound trunks (and outbound-only ones)."""
        async with self.client(creds) as sip:
            inbound = (await sip.list_inbound_trunk(lk_sip.ListSIPInboundTrunkRequest())).items
            outbound = (await sip.list_outbound_trunk(lk_sip.ListSIPOutboundTrunkRequest())).items
            rules = (await sip.list_dispatch_rule(lk_sip.ListSIPDispatchRuleRequest())).items
        agent_of: dict[str, str | None] = {}
        for rule in rules:
            name = rule.room_config.agents[0].agent_name if rule.room_config.agents else None
            for trunk_id in rule.trunk_ids:
                agent_of[trunk_id] = name
        found: dict[str, Remote] = {}
        for trunk in inbound:
            for n in trunk.numbers:
                found.setdefault(n, Remote(n, trunk.sip_trunk_id, agent_of.get(trunk.sip_trunk_id)))
        for trunk in outbound:
            for n in trunk.numbers:
                found.setdefault(n, Remote(n, trunk.sip_trunk_id, None))
        return list(found.values())
