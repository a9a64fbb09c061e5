"""pricing v1 phone-number prices and numbers v2 bundles/clones."""

from __future__ import annotations

from decimal import Decimal

from tests.integration.sandbox.helpers import Account, available, twilio_error


def test_pricing_countries_and_prices(main: Account) -> None:
    countries = main.client.pricing.v1.phone_numbers.countries.list()
    codes = [c.iso_country for c in countries]
    assert {"US", "CA", "GB", "DE", "PL", "AU"} <= set(codes)
    assert [c.country for c in countries] == sorted(c.country for c in countries)
    assert len(main.client.pricing.v1.phone_numbers.countries.list(page_size=2)) == len(codes)
    gb = main.client.pricing.v1.phone_numbers.countries("GB").fetch()
    assert gb.price_unit == "USD" and gb.country == "United Kingdom"
    prices = {p["number_type"]: Decimal(p["current_price"]) for p in gb.phone_number_prices}
    assert set(prices) == {"local", "mobile", "toll free"}
    assert all(Decimal("0.5") <= v <= Decimal(50) for v in prices.values())
    us = main.client.pricing.v1.phone_numbers.countries("US").fetch()
    assert {p["number_type"] for p in us.phone_number_prices} == {"local", "toll free"}
    assert gb.url == "https://pricing.twilio.com/v1/PhoneNumbers/Countries/GB"


def test_pricing_unknown_country(main: Account) -> None:
    assert twilio_error(lambda: main.client.pricing.v1.phone_numbers.countries("XX").fetch()) == (
        404,
        20404,
    )


def test_bundle_lifecycle(main: Account) -> None:
    bundles = main.client.numbers.v2.regulatory_compliance.bundles
    bundle = bundles.create(
        friendly_name="UK business",
        email="ops@example.com",
        iso_country="GB",
        number_type="local",
        end_user_type="business",
    )
    assert bundle.sid.startswith("BU") and bundle.status == "draft"
    assert bundle.regulation_sid.startswith("RN")
    assert bundle.url == f"https://numbers.twilio.com/v2/RegulatoryCompliance/Bundles/{bundle.sid}"
    assert bundles(bundle.sid).update(status="pending-review").status == "twilio-approved"
    assert bundles(bundle.sid).fetch().status == "twilio-approved"
    assert [b.sid for b in bundles.list(status="twilio-approved")] == [bundle.sid]
    assert bundles.list(status="draft") == []
    assert [b.sid for b in bundles.list(iso_country="GB", number_type="local")] == [bundle.sid]
    assert twilio_error(lambda: bundles(bundle.sid).update(status="twilio-approved"))[0] == 400
    assert twilio_error(lambda: bundles.create(friendly_name="x", email=""))[0] == 400
    assert bundles(bundle.sid).delete() is True
    assert twilio_error(lambda: bundles(bundle.sid).fetch()) == (404, 20404)


def test_bundle_in_use_cannot_be_deleted(main: Account) -> None:
    bundles = main.client.numbers.v2.regulatory_compliance.bundles
    bundle = bundles.create(
        friendly_name="PL", email="o@e.com", iso_country="PL", number_type="mobile"
    )
    bundles(bundle.sid).update(status="pending-review")
    main.client.incoming_phone_numbers.mobile.create(
        phone_number=available(main.client, "PL", "mobile"), bundle_sid=bundle.sid
    )
    assert twilio_error(lambda: bundles(bundle.sid).delete()) == (400, 21648)


def test_clone_to_subaccount(main: Account, subaccount: Account, byo_account: Account) -> None:
    bundles = main.client.numbers.v2.regulatory_compliance.bundles
    bundle = bundles.create(
        friendly_name="DE", email="o@e.com", iso_country="DE", number_type="local"
    )
    clone_of = main.client.numbers.v2.bundle_clone(bundle.sid)
    assert twilio_error(lambda: clone_of.create(target_account_sid=subaccount.sid))[0] == 400
    bundles(bundle.sid).update(status="pending-review")
    clone = clone_of.create(target_account_sid=subaccount.sid, friendly_name="DE for tenant")
    assert clone.account_sid == subaccount.sid and clone.status == "twilio-approved"
    assert clone.friendly_name == "DE for tenant"
    theirs = subaccount.client.numbers.v2.regulatory_compliance.bundles.list()
    assert [b.sid for b in theirs] == [clone.bundle_sid]
    draft = clone_of.create(target_account_sid=subaccount.sid, move_to_draft=True)
    assert draft.status == "draft"
    # Only related accounts can receive a clone.
    assert twilio_error(lambda: clone_of.create(target_account_sid=byo_account.sid))[0] == 400
    assert twilio_error(lambda: clone_of.create(target_account_sid="AC" + "0" * 32))[0] == 400
