"""The list of a tenant's numbers shows each number exactly as `GET .../phone-numbers/{id}`
does (issue 20: the list has its own read path, numbers/pages.py), pages through cursors, filters
by status, and never shows another tenant's numbers."""

from __future__ import annotations

import uuid
from typing import Any

from callplane.numbers.models import PhoneNumber
from tests.e2e.test_owned_numbers import Customer
from tests.fixtures.api import TenantKit
from tests.fixtures.numbers import NumbersKit
from tests.fixtures.providers import ProvidersKit, eventually


async def _listed(numbers: NumbersKit, tenant: TenantKit, **params: Any) -> dict[str, Any]:
    r = await numbers.api.client.get(
        f"/v1/tenants/{tenant.id}/phone-numbers", params=params, headers=tenant.headers("member")
    )
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


async def _each_as_alone(numbers: NumbersKit, tenant: TenantKit, listed: list[Any]) -> None:
    for item in listed:
        r = await numbers.api.client.get(
            f"/v1/tenants/{tenant.id}/phone-numbers/{item['id']}", headers=tenant.headers()
        )
        assert r.status_code == 200, r.text
        assert item == r.json()


async def test_listed_numbers_are_shown_as_each_is_alone(numbers: NumbersKit) -> None:
    c = await Customer(numbers).setup()
    imported = await c.import_()
    r = await numbers.api.client.patch(
        c.url(imported), json={"label": "Front desk ☎"}, headers=c.tenant.headers()
    )
    assert r.status_code == 200, r.text
    await c.on_callplane_trunk(imported)
    bought = await numbers.bought(c.tenant)
    released = await numbers.bought(c.tenant)
    r = await numbers.api.client.delete(
        f"/v1/tenants/{c.tenant.id}/phone-numbers/{released['id']}", headers=c.tenant.headers()
    )
    assert r.status_code == 200, r.text

    page = await _listed(numbers, c.tenant, limit=200)
    assert [n["id"] for n in page["data"]] == [imported["id"], bought["id"], released["id"]]
    assert page["next_cursor"] is None
    await _each_as_alone(numbers, c.tenant, page["data"])
    shown = {n["id"]: n for n in page["data"]}
    assert shown[imported["id"]]["label"] == "Front desk ☎"
    assert shown[imported["id"]]["original_config"]["trunk_sid"] == c.before["trunk_sid"]
    assert shown[imported["id"]]["channels"]["voice"] == "trunk"
    assert shown[released["id"]]["status"] == "released"
    assert shown[released["id"]]["released_at"] and shown[released["id"]]["release_reason"]

    # Cursors and the status filter.
    first = await _listed(numbers, c.tenant, limit=2)
    assert [n["id"] for n in first["data"]] == [imported["id"], bought["id"]]
    rest = await _listed(numbers, c.tenant, limit=2, cursor=first["next_cursor"])
    assert [n["id"] for n in rest["data"]] == [released["id"]] and rest["next_cursor"] is None
    active = await _listed(numbers, c.tenant, status="active")
    assert [n["id"] for n in active["data"]] == [imported["id"], bought["id"]]
    gone = await _listed(numbers, c.tenant, status="released,releasing")
    assert [n["id"] for n in gone["data"]] == [released["id"]]
    r = await numbers.api.client.get(
        f"/v1/tenants/{c.tenant.id}/phone-numbers",
        params={"cursor": "not-a-cursor"},
        headers=c.tenant.headers(),
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_cursor", r.text

    # Another tenant sees none of them, and its own list is empty.
    other, _ = await numbers.tenant()
    assert (await _listed(numbers, other))["data"] == []
    r = await numbers.api.client.get(
        f"/v1/tenants/{c.tenant.id}/phone-numbers", headers=other.headers()
    )
    assert r.status_code == 404


async def test_a_listed_number_shows_its_provider_registration(providers: ProvidersKit) -> None:
    tenant, _key, remote, agent = await providers.setup("retell")
    number = await providers.buy(tenant, agent)
    await providers.provider_status(tenant, number["id"], "synced")

    async def listed_between_two_equal_reads() -> tuple[Any, Any] | None:
        # The purchase also made the tenant's trunk, which queues the registration's sync once
        # more: the list is compared with the number as read alone while nothing changed it.
        before = await providers.number(tenant, number["id"])
        r = await providers.api.client.get(
            f"/v1/tenants/{tenant.id}/phone-numbers", headers=tenant.headers()
        )
        assert r.status_code == 200, r.text
        after = await providers.number(tenant, number["id"])
        return (r.json()["data"], after) if before == after else None

    listed, alone = await eventually(listed_between_two_equal_reads)
    (item,) = listed
    assert item["provider"]["name"] == "retell" and item["provider"]["agent_id"] == remote
    assert item["provider"]["synced_at"] and item["channels"]["voice"] == "provider:retell"
    assert item == alone


async def test_a_listed_page_shows_every_change_at_once(numbers: NumbersKit) -> None:
    """The same page asked again (on SQLite answered from what was kept) shows a change made
    through the API, and one committed by any other connection, the very next time."""
    tenant, _ = await numbers.tenant()
    bought = await numbers.bought(tenant)
    url = f"/v1/tenants/{tenant.id}/phone-numbers/{bought['id']}"
    assert (await _listed(numbers, tenant))["data"][0]["label"] == bought["label"]
    assert (await _listed(numbers, tenant))["data"][0]["label"] == bought["label"]

    r = await numbers.api.client.patch(url, json={"label": "Sales"}, headers=tenant.headers())
    assert r.status_code == 200, r.text
    assert (await _listed(numbers, tenant))["data"][0]["label"] == "Sales"

    async with numbers.api.runtime.uow() as uow:  # a job, another process: not the API's route
        number = await uow.session.get(PhoneNumber, uuid.UUID(bought["id"]))
        assert number is not None
        number.label = "Support"
        await uow.commit()
    assert (await _listed(numbers, tenant))["data"][0]["label"] == "Support"
    assert (await _listed(numbers, tenant, limit=1))["data"][0]["label"] == "Support"
