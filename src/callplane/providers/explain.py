"""`explain`'s provider step: which provider and agent a number's calls reach, whether it is
registered there, whether the credentials there are the trunk's current ones, and why not."""

from __future__ import annotations

from typing import Any

from callplane.agents.models import Agent
from callplane.db.uow import UnitOfWork
from callplane.gateway.decision import NumberRoute
from callplane.numbers.models import PhoneNumber
from callplane.providers import access, names
from callplane.providers import trunks as provider_trunks
from callplane.providers.adapters import adapter_for
from callplane.providers.models import ProviderAccount, ProviderRegistration
from callplane.providers.sync import Desired, Status, expected_fingerprint
from callplane.tenancy import SYSTEM, TenantScope

Step = tuple[str, bool, str, dict[str, Any]]


async def provider_steps(uow: UnitOfWork, route: NumberRoute) -> list[Step]:
    """The "provider" step of a routed number (none when neither its agent nor a registration
    involves a provider)."""
    scope = TenantScope(tenant_id=route.tenant_id, actor=SYSTEM)
    reg = await uow.repo(ProviderRegistration, scope).find(
        ProviderRegistration.number_id == route.number_id
    )
    agent = await uow.repo(Agent, scope).find(Agent.id == route.agent.id) if route.agent else None
    wanted = agent is not None and agent.voice_mode == "provider" and agent.provider
    if not wanted and reg is None:
        return []
    if not wanted:
        assert reg is not None
        label = names.label(reg.provider)
        return [
            (
                "provider",
                reg.status != Status.failed,
                f"the number's agent is no longer at a provider: its {label} registration "
                f"is being removed ({reg.status}" + (f": {reg.detail}" if reg.detail else "") + ")",
                _data(reg, None),
            )
        ]
    assert agent is not None and agent.provider and agent.provider_agent_id
    desired = Desired(agent.provider, agent.provider_agent_id, agent.id)
    return [await _step(uow, scope, route, desired, reg)]


def _data(reg: ProviderRegistration | None, desired: Desired | None, **more: Any) -> dict[str, Any]:
    return {
        "provider": desired.provider if desired else (reg.provider if reg else None),
        "provider_agent_id": desired.provider_agent_id if desired else None,
        "registration_id": reg.registration_id if reg else None,
        "status": reg.status if reg else None,
        "synced_at": reg.synced_at.isoformat() if reg and reg.synced_at else None,
        "detail": reg.detail if reg else None,
        **more,
    }


async def _step(
    uow: UnitOfWork,
    scope: TenantScope,
    route: NumberRoute,
    desired: Desired,
    reg: ProviderRegistration | None,
) -> Step:
    label = names.label(desired.provider)
    head = f"agent is {label} agent {desired.provider_agent_id!r}"
    account = await uow.repo(ProviderAccount, scope).find(ProviderAccount.name == desired.provider)
    if account is None:
        return (
            "provider",
            False,
            (
                f"{head}, but the tenant has no {label} credentials: PUT "
                f"/v1/tenants/{scope.tenant_id}/providers/{desired.provider}"
            ),
            _data(reg, desired, registered=False, credentials_in_sync=None),
        )
    if account.status != "connected":
        head += f" ({label} refused the tenant's key at the last check)"
    registered = (
        reg is not None
        and reg.registration_id is not None
        and reg.provider == desired.provider
        and reg.provider_agent_id == desired.provider_agent_id
    )
    if reg is None:
        why = "not registered there: no sync has run (POST .../provider/sync)"
    elif reg.provider != desired.provider:
        why = f"being moved from {names.label(reg.provider)} ({reg.status})"
    elif not registered:
        why = f"not registered there yet ({reg.status}" + (
            f": {reg.detail})" if reg.detail else ")"
        )
    else:
        why = None
    number = await uow.repo(PhoneNumber, scope).get(route.number_id)
    expected = await expected_fingerprint(uow, scope, number, desired)
    in_sync = (
        registered and reg is not None and expected is not None and (reg.fingerprint == expected)
    )
    ptrunk = await provider_trunks.provider_trunk(uow, scope, desired.provider)
    wanted_uri = adapter_for(desired.provider).origination_uri(
        access.credentials(uow, account), account.refs or {}
    )
    on_trunk = ptrunk is not None and route.trunk is not None and route.trunk.id == ptrunk.id
    problems = []
    if why:
        problems.append(why)
    elif not in_sync:
        problems.append(
            f"its SIP credentials or termination changed since the last push: {label} still "
            "presents the old ones, so outbound calls fail (403) until the pending sync runs"
            + (f" ({reg.status}: {reg.detail})" if reg and reg.detail else "")
        )
    if not on_trunk:
        problems.append(f"the number is not on the tenant's {label} trunk")
    elif ptrunk is not None and wanted_uri and ptrunk.origination_uri != wanted_uri:
        problems.append(
            f"the {label} trunk sends calls to {ptrunk.origination_uri}, not {wanted_uri}"
        )
    if problems:
        summary = f"{head}: " + "; ".join(problems)
    else:
        synced = reg.synced_at.isoformat() if reg and reg.synced_at else "?"
        summary = (
            f"{head}: registered there as {reg.registration_id if reg else '?'} (synced "
            f"{synced}); SIP credentials in sync; Twilio sends calls to {wanted_uri}"
        )
    return (
        "provider",
        not problems,
        summary,
        _data(
            reg,
            desired,
            registered=registered,
            credentials_in_sync=in_sync,
            on_provider_trunk=on_trunk,
            origination_uri=wanted_uri,
        ),
    )
