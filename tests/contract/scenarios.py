"""The sandbox's answer to each catalogued operation, got through the SDK as a customer would."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any

from twilio.base.page import Page
from twilio.rest import Client

from tests.contract.catalogue import Example

WEB = "https://hooks.example.com"
TO = "+14155550100"  # a valid US number nobody in the sandbox owns
PASSWORD = "Contract-Passw0rd"  # Twilio's SIP rules: 12+ chars, digit, upper and lower case


class World:
    """Sandbox resources made through the SDK on first use (one World per test)."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def buy_number(self, **wiring: Any) -> Any:
        """A freshly bought US local number (voice, SMS and MMS capable)."""
        local = self.client.available_phone_numbers("US").local
        # San Francisco (415) blocks take SMS; Hilo's, like Twilio's own example, do not.
        candidate = local.list(area_code="415", limit=1)[0]
        return self.client.incoming_phone_numbers.create(
            phone_number=candidate.phone_number, **wiring
        )

    @cached_property
    def number(self) -> Any:
        """A number wired with voice and SMS webhooks."""
        return self.buy_number(
            voice_url=f"{WEB}/voice",
            sms_url=f"{WEB}/sms",
            status_callback=f"{WEB}/status",
            friendly_name="contract number",
        )

    @cached_property
    def subaccount(self) -> Any:
        """A subaccount of the main account."""
        return self.client.api.v2010.accounts.create(friendly_name="contract subaccount")

    @cached_property
    def message(self) -> Any:
        """An outbound SMS from `number`."""
        return self.client.messages.create(to=TO, from_=self.number.phone_number, body="hi")

    @cached_property
    def call(self) -> Any:
        """An outbound call from `number`."""
        return self.client.calls.create(to=TO, from_=self.number.phone_number, url=f"{WEB}/twiml")

    @cached_property
    def finished_call(self) -> Any:
        """`call`, hung up: it has start and end times and a duration."""
        self.client.calls(self.call.sid).update(status="completed")
        return self.call

    @cached_property
    def credential_list(self) -> Any:
        """A SIP credential list."""
        return self.client.sip.credential_lists.create(friendly_name="contract list")

    @cached_property
    def credential(self) -> Any:
        """A SIP credential in `credential_list`."""
        return self.client.sip.credential_lists(self.credential_list.sid).credentials.create(
            username="contract-user", password=PASSWORD
        )

    @cached_property
    def trunk(self) -> Any:
        """An Elastic SIP trunk."""
        return self.client.trunking.v1.trunks.create(
            friendly_name="contract trunk",
            domain_name="contract-trunk.pstn.twilio.com",
            disaster_recovery_url=f"{WEB}/disaster",
            disaster_recovery_method="POST",
        )

    @property
    def trunk_api(self) -> Any:
        """The SDK context of `trunk`."""
        return self.client.trunking.v1.trunks(self.trunk.sid)

    @cached_property
    def origination_url(self) -> Any:
        """An origination URL on `trunk`."""
        return self.trunk_api.origination_urls.create(
            weight=10,
            priority=10,
            enabled=True,
            friendly_name="contract pbx",
            sip_url="sip:pbx.example.com",
        )

    @cached_property
    def trunk_credential_list(self) -> Any:
        """`credential_list` associated with `trunk`."""
        return self.trunk_api.credentials_lists.create(credential_list_sid=self.credential_list.sid)

    @cached_property
    def trunk_number(self) -> Any:
        """`number` associated with `trunk`."""
        return self.trunk_api.phone_numbers.create(phone_number_sid=self.number.sid)

    @cached_property
    def bundle(self) -> Any:
        """A regulatory bundle for GB local numbers."""
        return self.client.numbers.v2.regulatory_compliance.bundles.create(
            friendly_name="contract bundle",
            email="ops@example.com",
            iso_country="GB",
            number_type="local",
            end_user_type="business",
            status_callback=f"{WEB}/bundle",
        )


# "resource" or "resource:operation" -> attributes the sandbox's answer legitimately has no value
# for (the example does): None is allowed there, for the reason given. Everything else must match
# the example's type; a fetched, finished call must have its times, for instance.
UNSET_IN_SANDBOX: dict[str, dict[str, str]] = {
    "incoming_phone_number": {
        "address_sid": "a US local number needs no Address, so none is attached",
        "emergency_address_sid": "no emergency address is registered for the number",
        "identity_sid": "no Identity is attached (only some regions require one)",
        "bundle_sid": "a US local number needs no regulatory bundle",
    },
    "call": {
        "price": "Twilio prices a call after it ends, asynchronously; the sandbox never does",
        "answered_by": "set only with answering-machine detection (MachineDetection)",
        "caller_name": "set only with caller-name lookup on inbound calls",
        "forwarded_from": "set only for inbound calls that were forwarded",
        "parent_call_sid": "set only for child legs (<Dial>)",
        "group_sid": "set only for grouped (conference/dial) legs",
        "trunk_sid": "set only for calls over an Elastic SIP trunk",
    },
    "call:create": {
        "start_time": "the create answer is a queued call: it has not started",
        "end_time": "the create answer is a queued call: it has not ended",
        "duration": "the create answer is a queued call: no duration yet",
    },
    "message": {
        "price": "Twilio prices a message after delivery, asynchronously; the sandbox never does",
        "error_code": "set only for failed/undelivered messages",
        "error_message": "set only for failed/undelivered messages",
        "messaging_service_sid": "set only when sent through a Messaging Service",
    },
    "message:create": {
        "date_sent": "the create answer is a queued message: it is not sent yet",
    },
    "bundle": {
        "valid_until": "set only once a bundle is approved with an expiry; this one is a draft",
    },
}

Answer = Callable[[World], Any]  # an SDK instance, or a Page for list reads


def _sip(w: World) -> Any:
    return w.client.sip.credential_lists


def _creds(w: World) -> Any:
    return w.client.sip.credential_lists(w.credential_list.sid).credentials


def _bundles(w: World) -> Any:
    return w.client.numbers.v2.regulatory_compliance.bundles


# (resource, operation) -> how a customer gets that answer from the sandbox. Reads of a list
# make one record first, so the page has a record to compare with the example's.
OPERATIONS: dict[tuple[str, str], Answer] = {
    ("account", "list"): lambda w: (w.subaccount, w.client.api.v2010.accounts.page())[1],
    ("account", "create"): lambda w: w.client.api.v2010.accounts.create(friendly_name="c2"),
    ("account", "fetch"): lambda w: w.client.api.v2010.accounts(w.subaccount.sid).fetch(),
    ("account", "update"): lambda w: w.client.api.v2010.accounts(w.subaccount.sid).update(
        friendly_name="contract renamed"
    ),
    ("available_phone_number_local", "list"): lambda w: w.client.available_phone_numbers(
        "US"
    ).local.page(page_size=3),
    ("available_phone_number_mobile", "list"): lambda w: w.client.available_phone_numbers(
        "GB"
    ).mobile.page(page_size=3),
    ("available_phone_number_toll_free", "list"): lambda w: w.client.available_phone_numbers(
        "US"
    ).toll_free.page(page_size=3),
    ("call", "list"): lambda w: (w.finished_call, w.client.calls.page())[1],
    ("call", "create"): lambda w: w.call,
    ("call", "fetch"): lambda w: w.client.calls(w.finished_call.sid).fetch(),
    ("call", "update"): lambda w: w.client.calls(w.call.sid).update(status="completed"),
    ("incoming_phone_number", "list"): lambda w: (
        w.number,
        w.client.incoming_phone_numbers.page(),
    )[1],
    ("incoming_phone_number", "create"): lambda w: w.number,
    ("incoming_phone_number", "fetch"): lambda w: w.client.incoming_phone_numbers(
        w.number.sid
    ).fetch(),
    ("incoming_phone_number", "update"): lambda w: w.client.incoming_phone_numbers(
        w.number.sid
    ).update(voice_url=f"{WEB}/voice2"),
    ("message", "list"): lambda w: (w.message, w.client.messages.page())[1],
    ("message", "create"): lambda w: w.message,
    ("message", "fetch"): lambda w: w.client.messages(w.message.sid).fetch(),
    ("message", "update"): lambda w: w.client.messages(w.message.sid).update(body=""),
    ("sip_credential_list", "list"): lambda w: (w.credential_list, _sip(w).page())[1],
    ("sip_credential_list", "create"): lambda w: w.credential_list,
    ("sip_credential_list", "fetch"): lambda w: _sip(w)(w.credential_list.sid).fetch(),
    ("sip_credential_list", "update"): lambda w: _sip(w)(w.credential_list.sid).update(
        friendly_name="contract renamed"
    ),
    ("sip_credential", "list"): lambda w: (w.credential, _creds(w).page())[1],
    ("sip_credential", "create"): lambda w: w.credential,
    ("sip_credential", "fetch"): lambda w: _creds(w)(w.credential.sid).fetch(),
    ("sip_credential", "update"): lambda w: _creds(w)(w.credential.sid).update(
        password=PASSWORD + "2"
    ),
    ("trunk", "list"): lambda w: (w.trunk, w.client.trunking.v1.trunks.page())[1],
    ("trunk", "create"): lambda w: w.trunk,
    ("trunk", "fetch"): lambda w: w.trunk_api.fetch(),
    ("trunk", "update"): lambda w: w.trunk_api.update(friendly_name="contract renamed"),
    ("trunk_credential_list", "list"): lambda w: (
        w.trunk_credential_list,
        w.trunk_api.credentials_lists.page(),
    )[1],
    ("trunk_credential_list", "create"): lambda w: w.trunk_credential_list,
    ("trunk_credential_list", "fetch"): lambda w: w.trunk_api.credentials_lists(
        w.trunk_credential_list.sid
    ).fetch(),
    ("trunk_origination_url", "list"): lambda w: (
        w.origination_url,
        w.trunk_api.origination_urls.page(),
    )[1],
    ("trunk_origination_url", "create"): lambda w: w.origination_url,
    ("trunk_origination_url", "fetch"): lambda w: w.trunk_api.origination_urls(
        w.origination_url.sid
    ).fetch(),
    ("trunk_origination_url", "update"): lambda w: w.trunk_api.origination_urls(
        w.origination_url.sid
    ).update(weight=20),
    ("trunk_phone_number", "list"): lambda w: (
        w.trunk_number,
        w.trunk_api.phone_numbers.page(),
    )[1],
    ("trunk_phone_number", "create"): lambda w: w.trunk_number,
    ("trunk_phone_number", "fetch"): lambda w: w.trunk_api.phone_numbers(
        w.trunk_number.sid
    ).fetch(),
    ("phone_number_country", "list"): lambda w: w.client.pricing.v1.phone_numbers.countries.page(),
    ("phone_number_country", "fetch"): lambda w: w.client.pricing.v1.phone_numbers.countries(
        "US"
    ).fetch(),
    ("bundle", "list"): lambda w: (w.bundle, _bundles(w).page())[1],
    ("bundle", "create"): lambda w: w.bundle,
    ("bundle", "fetch"): lambda w: _bundles(w)(w.bundle.sid).fetch(),
}


def operation_kind(example: Example) -> str:
    """list, create, fetch or update: what the example's (path, method) does."""
    if example.template == example.resource.list_template:
        return "list" if example.method == "GET" else "create"
    return "fetch" if example.method == "GET" else "update"


def unset_in_sandbox(example: Example) -> dict[str, str]:
    """The UNSET_IN_SANDBOX entries that apply to the example's operation."""
    resource = example.resource.name
    return {
        **UNSET_IN_SANDBOX.get(resource, {}),
        **UNSET_IN_SANDBOX.get(f"{resource}:{operation_kind(example)}", {}),
    }


def sandbox_answer(client: Client, example: Example) -> tuple[Page | None, list[Any]]:
    """The sandbox's answer to the example's operation: (page or None, SDK instances)."""
    answer = OPERATIONS[(example.resource.name, operation_kind(example))](World(client))
    if isinstance(answer, Page):
        return answer, list(answer)
    return None, [answer]
