"""Vapi through `vapi_server_sdk`: one `byo-sip-trunk` credential per tenant (the trunk's
termination as its gateway, the SIP user and password as its outbound authentication plan) and a
`byo-phone-number` per number on that credential, bound to the assistant.

The SDK has no credential client (docs/decisions.md): `/credential` goes through the SDK's own
HTTP client (`_client_wrapper.httpx_client`: auth, base URL), with the SDK's own models. So do the
two assistant reads: the SDK's assistants client takes tens of seconds to import (its models are
huge), and callplane only needs to know that an assistant exists.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import quote

import httpx
from vapi import AsyncVapi
from vapi.core.api_error import ApiError
from vapi.core.request_options import RequestOptions
from vapi.core.unchecked_base_model import construct_type
from vapi.phone_numbers.types import (
    CreatePhoneNumbersRequest_ByoPhoneNumber,
    UpdatePhoneNumbersRequestBody_ByoPhoneNumber,
)
from vapi.types import (
    ByoSipTrunkCredential,
    CreateByoSipTrunkCredentialDto,
    SipTrunkGateway,
    SipTrunkOutboundAuthenticationPlan,
    UpdateByoSipTrunkCredentialDto,
)

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

SIP_DOMAIN = ".sip.vapi.ai"
ONCE: RequestOptions = {"max_retries": 0}  # the sync job retries, with backoff
CREDENTIAL_ID = "vapi_credential_id"
CREDENTIAL_FP = "vapi_credential_fp"
NAME_MAX = 40  # Vapi's limit on a credential's and a number's name


_warm: set[str] = set()
# The SDK imports its phone numbers client on first use (about a second): in a thread, once.
LAZY_MODULES = ("vapi.phone_numbers.client",)


async def _warm_up() -> None:
    for module in LAZY_MODULES:
        if module not in _warm:
            await asyncio.to_thread(importlib.import_module, module)
            _warm.add(module)


class VapiAdapter(Adapter):
    """Vapi: a SIP trunk credential for the tenant, a BYO phone number per number."""

    name = "vapi"
    default_base_url = "https://api.vapi.ai"

    @asynccontextmanager
    async def client(self, creds: Credentials) -> AsyncIterator[AsyncVapi]:
        """An SDK client whose failures come out as ProviderCallError."""
        await _warm_up()
        async with self.http(creds) as http:
            sdk = AsyncVapi(token=creds.api_key, base_url=self.base_url(creds), httpx_client=http)
            try:
                yield sdk
            except ApiError as exc:
                status = exc.status_code or 500
                raise ProviderCallError(
                    self.name, kind_of_status(status), message_of(exc.body, str(exc)), status=status
                ) from None
            except httpx.TransportError as exc:
                raise self.transport_error(exc) from None

    async def verify(self, creds: Credentials) -> None:
        """`GET /assistant?limit=1` (the SDK's `assistants.list`)."""
        async with self.client(creds) as sdk:
            await self._raw(sdk, "assistant", "GET", params={"limit": 1})

    async def check_agent(self, creds: Credentials, agent_id: str) -> None:
        """`GET /assistant/{id}` (the SDK's `assistants.get`)."""
        async with self.client(creds) as sdk:
            await self._raw(sdk, f"assistant/{quote(agent_id, safe='')}", "GET")

    def origination_uri(self, creds: Credentials, account_refs: dict[str, Any]) -> str | None:
        """`sip:<credential id>.sip.vapi.ai`, once the credential exists."""
        credential = account_refs.get(CREDENTIAL_ID)
        return f"sip:{credential}{SIP_DOMAIN}" if credential else None

    def account_part(self, account_refs: dict[str, Any]) -> str:
        """The credential the numbers hang on."""
        return str(account_refs.get(CREDENTIAL_ID) or "")

    # -- the tenant's SIP trunk credential ------------------------------------------------

    async def _raw(
        self,
        sdk: AsyncVapi,
        path: str,
        method: str,
        *,
        body: Any = None,
        params: dict[str, Any] | None = None,
        missing_ok: bool = False,
    ) -> Any:
        """A call through the SDK's own HTTP client (auth, base URL): its JSON answer, or None
        for a 404 when `missing_ok`."""
        answer = await sdk._client_wrapper.httpx_client.request(
            path, method=method, json=body, params=params, request_options=ONCE
        )
        if answer.status_code == 404 and missing_ok:
            return None
        if answer.status_code >= 400:
            try:
                payload: Any = answer.json()
            except ValueError:
                payload = answer.text
            raise ProviderCallError(
                self.name,
                kind_of_status(answer.status_code),
                message_of(payload, f"HTTP {answer.status_code}"),
                status=answer.status_code,
            )
        return answer.json()

    async def _credential_call(
        self, sdk: AsyncVapi, path: str, method: str, body: Any = None
    ) -> Any:
        """A `/credential` call: the credential (the SDK's model), or None when it is gone."""
        found = await self._raw(sdk, path, method, body=body, missing_ok=True)
        if found is None:
            return None
        return construct_type(type_=ByoSipTrunkCredential, object_=found)

    @staticmethod
    def _credential_fp(push: Push) -> str:
        material = json.dumps([push.termination_host, push.username, push.password])
        return hashlib.sha256(material.encode()).hexdigest()

    @staticmethod
    def credential_name(push: Push) -> str:
        """`callplane <trunk domain's first label>`: one per tenant, found again by it."""
        return f"callplane {push.termination_host.split('.', 1)[0]}"[:NAME_MAX]

    async def prepare(
        self, creds: Credentials, account_refs: dict[str, Any], push: Push
    ) -> dict[str, Any]:
        """The tenant's credential: made, found again, or patched when what it holds is stale."""
        wanted = self._credential_fp(push)
        gateways = [SipTrunkGateway(ip=push.termination_host)]
        plan = SipTrunkOutboundAuthenticationPlan(
            auth_username=push.username, auth_password=push.password
        )
        refs = dict(account_refs)
        async with self.client(creds) as sdk:
            credential_id = refs.get(CREDENTIAL_ID) or await self._find_credential(sdk, push)
            if credential_id and refs.get(CREDENTIAL_FP) == wanted:
                return refs
            made = None
            if credential_id:
                update = UpdateByoSipTrunkCredentialDto(
                    provider="byo-sip-trunk",
                    gateways=gateways,
                    outbound_authentication_plan=plan,
                )
                made = await self._credential_call(
                    sdk, f"credential/{credential_id}", "PATCH", update
                )
            if made is None:  # none yet, or deleted at Vapi behind callplane's back
                create = CreateByoSipTrunkCredentialDto(
                    provider="byo-sip-trunk",  # type: ignore[call-arg]
                    name=self.credential_name(push),
                    gateways=gateways,
                    outbound_authentication_plan=plan,
                    outbound_leading_plus_enabled=True,
                )
                made = await self._credential_call(sdk, "credential", "POST", create)
        refs[CREDENTIAL_ID] = made.id
        refs[CREDENTIAL_FP] = wanted
        return refs

    async def _find_credential(self, sdk: AsyncVapi, push: Push) -> str | None:
        """A credential callplane made before its id was stored (a lost answer)."""
        name = self.credential_name(push)
        listed = await self._raw(sdk, "credential", "GET")
        for item in listed or []:
            if item.get("provider") == "byo-sip-trunk" and item.get("name") == name:
                return str(item["id"])
        return None

    async def cleanup(self, creds: Credentials, account_refs: dict[str, Any]) -> dict[str, Any]:
        """Delete the tenant's credential (Vapi refuses while a number still uses it)."""
        refs = dict(account_refs)
        credential_id = refs.get(CREDENTIAL_ID)
        if credential_id:
            async with self.client(creds) as sdk:
                await self._credential_call(sdk, f"credential/{credential_id}", "DELETE")
        refs.pop(CREDENTIAL_ID, None)
        refs.pop(CREDENTIAL_FP, None)
        return refs

    # -- numbers --------------------------------------------------------------------------

    async def upsert(
        self, creds: Credentials, account_refs: dict[str, Any], current: Placed | None, push: Push
    ) -> Placed:
        """The BYO number on the tenant's credential, bound to the assistant."""
        credential_id = str(account_refs[CREDENTIAL_ID])
        name = f"callplane {push.phone_number}"[:NAME_MAX]
        async with self.client(creds) as sdk:
            number_id = current.registration_id if current else None
            if number_id is None:
                number_id = await self._find(sdk, push.phone_number, credential_id)
            if number_id is not None:
                try:
                    await sdk.phone_numbers.update(
                        number_id,
                        request=UpdatePhoneNumbersRequestBody_ByoPhoneNumber(
                            credential_id=credential_id, assistant_id=push.agent_id, name=name
                        ),
                        request_options=ONCE,
                    )
                    return Placed(registration_id=number_id, refs={"credential": credential_id})
                except ApiError as exc:
                    if exc.status_code != 404:
                        raise
            made = await sdk.phone_numbers.create(
                request=CreatePhoneNumbersRequest_ByoPhoneNumber(
                    number=push.phone_number,
                    credential_id=credential_id,
                    assistant_id=push.agent_id,
                    name=name,
                ),
                request_options=ONCE,
            )
            return Placed(registration_id=str(made.id), refs={"credential": credential_id})

    async def _find(self, sdk: AsyncVapi, phone_number: str, credential_id: str) -> str | None:
        for item in await sdk.phone_numbers.list(limit=1000, request_options=ONCE):
            if (
                getattr(item, "number", None) == phone_number
                and getattr(item, "credential_id", None) == credential_id
            ):
                return str(item.id)
        return None

    async def remove(self, creds: Credentials, placed: Placed, phone_number: str) -> None:
        """`phone_numbers.delete`."""
        async with self.client(creds) as sdk:
            try:
                await sdk.phone_numbers.delete(placed.registration_id, request_options=ONCE)
            except ApiError as exc:
                if exc.status_code != 404:
                    raise

    async def inventory(self, creds: Credentials) -> list[Remote]:
        """`phone_numbers.list`."""
        async with self.client(creds) as sdk:
            items = await sdk.phone_numbers.list(limit=1000, request_options=ONCE)
        return [
            Remote(str(i.number), str(i.id), getattr(i, "assistant_id", None))
            for i in items
            if getattr(i, "number", None)
        ]
