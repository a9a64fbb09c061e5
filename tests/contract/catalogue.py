"""Which Twilio operation and SDK class each file in twilio-oai/examples/ belongs to."""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from twilio.base.instance_resource import InstanceResource
from twilio.base.page import Page
from twilio.base.version import Version
from twilio.http.response import Response
from twilio.rest import Client
from twilio.rest.api.v2010.account import AccountInstance, AccountPage
from twilio.rest.api.v2010.account.available_phone_number_country.local import (
    LocalInstance,
    LocalPage,
)
from twilio.rest.api.v2010.account.available_phone_number_country.mobile import (
    MobileInstance,
    MobilePage,
)
from twilio.rest.api.v2010.account.available_phone_number_country.toll_free import (
    TollFreeInstance,
    TollFreePage,
)
from twilio.rest.api.v2010.account.call import CallInstance, CallPage
from twilio.rest.api.v2010.account.incoming_phone_number import (
    IncomingPhoneNumberInstance,
    IncomingPhoneNumberPage,
)
from twilio.rest.api.v2010.account.message import MessageInstance, MessagePage
from twilio.rest.api.v2010.account.sip.credential_list import (
    CredentialListInstance as SipCredentialListInstance,
)
from twilio.rest.api.v2010.account.sip.credential_list import (
    CredentialListPage as SipCredentialListPage,
)
from twilio.rest.api.v2010.account.sip.credential_list.credential import (
    CredentialInstance as SipCredentialInstance,
)
from twilio.rest.api.v2010.account.sip.credential_list.credential import (
    CredentialPage as SipCredentialPage,
)
from twilio.rest.numbers.v2.regulatory_compliance.bundle import BundleInstance, BundlePage
from twilio.rest.pricing.v1.phone_number.country import CountryInstance, CountryPage
from twilio.rest.trunking.v1.trunk import TrunkInstance, TrunkPage
from twilio.rest.trunking.v1.trunk.credential_list import (
    CredentialListInstance as TrunkCredentialListInstance,
)
from twilio.rest.trunking.v1.trunk.credential_list import (
    CredentialListPage as TrunkCredentialListPage,
)
from twilio.rest.trunking.v1.trunk.origination_url import (
    OriginationUrlInstance,
    OriginationUrlPage,
)
from twilio.rest.trunking.v1.trunk.phone_number import PhoneNumberInstance, PhoneNumberPage

from tests.fixtures.contract import ContractValidator, default_oai_dir

EXAMPLES_DIR = default_oai_dir() / "examples"

_A = "/2010-04-01/Accounts/{AccountSid}"


@dataclass(frozen=True)
class Resource:
    """A resource the sandbox emulates: its spec paths and the SDK classes that parse it."""

    name: str
    product: str
    list_template: str | None
    instance_template: str | None
    instance_class: type[InstanceResource]
    page_class: type[Page]
    version: Callable[[Client], Version]


RESOURCES: tuple[Resource, ...] = (
    Resource(
        "account",
        "api",
        "/2010-04-01/Accounts.json",
        "/2010-04-01/Accounts/{Sid}.json",
        AccountInstance,
        AccountPage,
        lambda c: c.api.v2010,
    ),
    Resource(
        "available_phone_number_local",
        "api",
        _A + "/AvailablePhoneNumbers/{CountryCode}/Local.json",
        None,
        LocalInstance,
        LocalPage,
        lambda c: c.api.v2010,
    ),
    Resource(
        "available_phone_number_mobile",
        "api",
        _A + "/AvailablePhoneNumbers/{CountryCode}/Mobile.json",
        None,
        MobileInstance,
        MobilePage,
        lambda c: c.api.v2010,
    ),
    Resource(
        "available_phone_number_toll_free",
        "api",
        _A + "/AvailablePhoneNumbers/{CountryCode}/TollFree.json",
        None,
        TollFreeInstance,
        TollFreePage,
        lambda c: c.api.v2010,
    ),
    Resource(
        "call",
        "api",
        _A + "/Calls.json",
        _A + "/Calls/{Sid}.json",
        CallInstance,
        CallPage,
        lambda c: c.api.v2010,
    ),
    Resource(
        "incoming_phone_number",
        "api",
        _A + "/IncomingPhoneNumbers.json",
        _A + "/IncomingPhoneNumbers/{Sid}.json",
        IncomingPhoneNumberInstance,
        IncomingPhoneNumberPage,
        lambda c: c.api.v2010,
    ),
    Resource(
        "message",
        "api",
        _A + "/Messages.json",
        _A + "/Messages/{Sid}.json",
        MessageInstance,
        MessagePage,
        lambda c: c.api.v2010,
    ),
    Resource(
        "sip_credential_list",
        "api",
        _A + "/SIP/CredentialLists.json",
        _A + "/SIP/CredentialLists/{Sid}.json",
        SipCredentialListInstance,
        SipCredentialListPage,
        lambda c: c.api.v2010,
    ),
    Resource(
        "sip_credential",
        "api",
        _A + "/SIP/CredentialLists/{CredentialListSid}/Credentials.json",
        _A + "/SIP/CredentialLists/{CredentialListSid}/Credentials/{Sid}.json",
        SipCredentialInstance,
        SipCredentialPage,
        lambda c: c.api.v2010,
    ),
    Resource(
        "trunk",
        "trunking",
        "/v1/Trunks",
        "/v1/Trunks/{Sid}",
        TrunkInstance,
        TrunkPage,
        lambda c: c.trunking.v1,
    ),
    Resource(
        "trunk_credential_list",
        "trunking",
        "/v1/Trunks/{TrunkSid}/CredentialLists",
        "/v1/Trunks/{TrunkSid}/CredentialLists/{Sid}",
        TrunkCredentialListInstance,
        TrunkCredentialListPage,
        lambda c: c.trunking.v1,
    ),
    Resource(
        "trunk_origination_url",
        "trunking",
        "/v1/Trunks/{TrunkSid}/OriginationUrls",
        "/v1/Trunks/{TrunkSid}/OriginationUrls/{Sid}",
        OriginationUrlInstance,
        OriginationUrlPage,
        lambda c: c.trunking.v1,
    ),
    Resource(
        "trunk_phone_number",
        "trunking",
        "/v1/Trunks/{TrunkSid}/PhoneNumbers",
        "/v1/Trunks/{TrunkSid}/PhoneNumbers/{Sid}",
        PhoneNumberInstance,
        PhoneNumberPage,
        lambda c: c.trunking.v1,
    ),
    Resource(
        "phone_number_country",
        "pricing",
        "/v1/PhoneNumbers/Countries",
        "/v1/PhoneNumbers/Countries/{IsoCountry}",
        CountryInstance,
        CountryPage,
        lambda c: c.pricing.v1,
    ),
    Resource(
        "bundle",
        "numbers",
        "/v2/RegulatoryCompliance/Bundles",
        "/v2/RegulatoryCompliance/Bundles/{Sid}",
        BundleInstance,
        BundlePage,
        lambda c: c.numbers.v2,
    ),
)

# twilio-python's examples are named <domain>_<version>_<resource>_<test action>.
LEGACY_PREFIXES: dict[str, str] = {
    "api_v2010_account": "account",
    "api_v2010_available_phone_number_local": "available_phone_number_local",
    "api_v2010_available_phone_number_mobile": "available_phone_number_mobile",
    "api_v2010_available_phone_number_toll_free": "available_phone_number_toll_free",
    "api_v2010_call": "call",
    "api_v2010_incoming_phone_number": "incoming_phone_number",
    "api_v2010_message": "message",
    "api_v2010_sip_credential_list": "sip_credential_list",
    "api_v2010_sip_credential": "sip_credential",
    "trunking_v1_trunk": "trunk",
    "trunking_v1_trunk_credential_list": "trunk_credential_list",
    "trunking_v1_trunk_origination_url": "trunk_origination_url",
    "trunking_v1_trunk_phone_number": "trunk_phone_number",
    "pricing_v1_phone_number_country": "phone_number_country",
}

# test action (prefix) -> (list or instance path, method, status); cancel/redact are updates.
LEGACY_ACTIONS: tuple[tuple[str, str, str, int], ...] = (
    ("read", "list", "GET", 200),
    ("create", "list", "POST", 201),
    ("fetch", "instance", "GET", 200),
    ("update", "instance", "POST", 200),
    ("cancel", "instance", "POST", 200),
    ("redact", "instance", "POST", 200),
)

# The 2023 twilio-python examples predate fields Twilio added since (README: the oai examples
# "are newer ... e.g. trunk symmetric_rtp_enabled, IPN status/type"). Only for these files, and
# only these fields, an absent key is read as null before validating; the sandbox gets no such
# leniency. Kept exact: a field listed here that the example does carry fails the test.
LEGACY_NEWER_FIELDS: dict[str, frozenset[str]] = {
    "incoming_phone_number": frozenset({"type"}),
    "trunk": frozenset({"symmetric_rtp_enabled"}),
}

# Example files whose resource the sandbox does not emulate: file name prefix -> reason. Every
# example resource in twilio-oai/examples/ is one DESIGN.md section 9 lists, so none so far.
NOT_EMULATED: dict[str, str] = {}

_SHORT_SPEC = {
    "api_v2010": "api",
    "trunking_v1": "trunking",
    "pricing_v1": "pricing",
    "numbers_v2": "numbers",
    "messaging_v1": "messaging",
}


@dataclass(frozen=True)
class Example:
    """One example body and the operation whose answer it is."""

    file: str
    product: str
    template: str
    method: str
    status: int
    resource: Resource
    legacy: bool

    @property
    def body(self) -> Any:
        """The example's JSON, freshly parsed (callers may change it)."""
        return json.loads((EXAMPLES_DIR / self.file).read_text(encoding="utf-8"))

    @property
    def is_list(self) -> bool:
        """Whether this is a page of a list (a GET on the list path)."""
        return self.template == self.resource.list_template and self.method == "GET"


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def resource_for(product: str, template: str) -> Resource | None:
    """The emulated resource a spec path belongs to."""
    for resource in RESOURCES:
        if resource.product == product and template in (
            resource.list_template,
            resource.instance_template,
        ):
            return resource
    return None


@cache
def _oai_operations() -> dict[str, tuple[str, str, str, int]]:
    """oai_* file name -> (product, template, method, status), read from the specs themselves."""
    validator = shared_validator()
    out: dict[str, tuple[str, str, str, int]] = {}
    for short, product in _SHORT_SPEC.items():
        for template, ops in validator.spec(product).spec["paths"].items():
            for method, op in ops.items():
                if not isinstance(op, dict) or "responses" not in op:
                    continue
                for status, response in op["responses"].items():
                    content = response.get("content", {}).get("application/json", {})
                    operation = _snake(op["operationId"])
                    for example_name in content.get("examples") or {}:
                        file = f"oai_{short}_{operation}_{_snake(example_name)}.json"
                        out[file] = (product, template, method.upper(), int(status))
    return out


def locate(file: str) -> Example | str:
    """The Example for a file, or why it cannot be placed (an unknown file is a test failure)."""
    if file.startswith("oai_"):
        where = _oai_operations().get(file)
        if where is None:
            return "no spec operation carries this example"
        product, template, method, status = where
        resource = resource_for(product, template)
        if resource is None:
            return f"{product} {template} is not a resource in the catalogue"
        return Example(file, product, template, method, status, resource, legacy=False)
    stem = file.removesuffix(".json")
    prefixes = [p for p in LEGACY_PREFIXES if stem.startswith(p + "_")]
    if not prefixes:
        return "no catalogue entry for this twilio-python example"
    prefix = max(prefixes, key=len)  # trunking_v1_trunk_phone_number, not trunking_v1_trunk
    resource = next(r for r in RESOURCES if r.name == LEGACY_PREFIXES[prefix])
    action = stem[len(prefix) + 1 :]
    for verb, kind, method, status in LEGACY_ACTIONS:
        if action.startswith(verb):
            template = resource.list_template if kind == "list" else resource.instance_template
            assert template is not None, f"{file}: {resource.name} has no {kind} path"
            return Example(file, resource.product, template, method, status, resource, legacy=True)
    return f"unknown test action {action!r}"


def example_files() -> list[str]:
    """Every example file, sorted."""
    return sorted(p.name for p in Path(EXAMPLES_DIR).glob("*.json"))


@cache
def shared_validator() -> ContractValidator:
    """One validator for all example tests (the specs are parsed once)."""
    return ContractValidator()


def fill_legacy_fields(example: Example, body: Any) -> list[str]:
    """Set the fields a 2023 example predates to null; the problems if the list is off."""
    newer = LEGACY_NEWER_FIELDS.get(example.resource.name, frozenset())
    if not example.legacy or not newer:
        return []
    problems: list[str] = []
    for record in records_of(example, body):
        for name in sorted(newer):
            if name in record:
                problems.append(f"{example.file} has {name!r}: drop it from LEGACY_NEWER_FIELDS")
            record[name] = None
    return problems


def records_of(example: Example, body: Any) -> list[dict[str, Any]]:
    """The resource records in an example body (the page's items, or the body itself)."""
    if not example.is_list:
        return [body]
    if "meta" in body:
        return list(body[body["meta"]["key"]])
    keys = set(body) - Page.META_KEYS
    assert len(keys) == 1, f"{example.file}: cannot tell the records key among {keys}"
    return list(body[keys.pop()])


# --------------------------------------------------------------------------------------------
# SDK parsing
# --------------------------------------------------------------------------------------------

_PLACEHOLDERS = {"account_sid": "AC" + "0" * 32, "country_code": "US", "iso_country": "US"}


def _solution(resource: Resource, template: str) -> dict[str, str]:
    """Keyword arguments the SDK classes want for the path's parameters (placeholders)."""
    wanted = inspect.signature(resource.instance_class.__init__).parameters
    out: dict[str, str] = {}
    for param in re.findall(r"\{(\w+)\}", template):
        name = _snake(param)
        if name in wanted and name != "sid":
            out[name] = _PLACEHOLDERS.get(name, f"XX{'0' * 32}")
    for name, p in wanted.items():
        required = p.default is inspect.Parameter.empty
        if required and name not in ("self", "version", "payload", "sid") and name not in out:
            out[name] = _PLACEHOLDERS.get(name, f"XX{'0' * 32}")
    return out


def sdk_parse(client: Client, example: Example, body: Any) -> tuple[Page | None, list[Any]]:
    """Parse a body the way the SDK does for this operation: (page or None, instances)."""
    resource = example.resource
    version = resource.version(client)
    solution = _solution(resource, example.template)
    if example.is_list:
        page = resource.page_class(version, Response(200, json.dumps(body)), solution)
        return page, list(page)
    return None, [resource.instance_class(version, body, **solution)]


def attributes(instance: Any) -> dict[str, Any]:
    """An SDK instance's public data attributes."""
    return {k: v for k, v in vars(instance).items() if not k.startswith("_")}


def offline_client() -> Client:
    """An SDK client that never leaves the process (only used to get `Version` objects)."""
    return Client("AC" + "0" * 32, "0" * 32)


# relaxation name -> a real (2023 twilio-python) example that cannot validate without it
RELAXATION_EVIDENCE: dict[str, str] = {
    "unset-sid-is-empty-string": "api_v2010_incoming_phone_number_fetch.json",
    "lat-long-as-decimal-string": "api_v2010_available_phone_number_local_read_full.json",
    "price-number-as-decimal-string": "pricing_v1_phone_number_country_fetch.json",
    "unpaged-available-phone-numbers": "api_v2010_available_phone_number_local_read_empty.json",
    "capabilities-without-fax": "trunking_v1_trunk_phone_number_fetch.json",
    "undeclared-fields-real-payloads-send": "api_v2010_call_fetch.json",
}
