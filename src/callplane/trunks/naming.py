"""Trunk names, domains, SIP credentials and origination URIs (pure functions, no I/O).

DESIGN section 7: a tenant's trunk is `{prefix}_{tag}_{random6}` with the domain
`{prefix}-{tag}-{random6}.pstn.twilio.com`, where `tag` is the first 12 hex digits of
sha256(tenant id). The tag comes from the WHOLE tenant id, so ids that share a prefix (ObjectIds
begin with a timestamp) still get different trunks.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import string
import uuid
from dataclasses import dataclass

TAG_LENGTH = 12
SUFFIX_LENGTH = 6
# Twilio limits: a trunk's FriendlyName and a credential list's FriendlyName are up to 64
# characters; a domain label is up to 63 characters of letters, digits and '-'; a SIP username is
# up to 32 characters; a SIP password needs 12+ characters with a digit, upper and lower case.
FRIENDLY_NAME_MAX = 64
DOMAIN_LABEL_MAX = 63
SIP_USERNAME_MAX = 32
SIP_PASSWORD_LENGTH = 32
SIP_URI_MAX = 255
DOMAIN_SUFFIX = ".pstn.twilio.com"

_SUFFIX_ALPHABET = string.ascii_lowercase + string.digits
_PASSWORD_ALPHABET = string.ascii_letters + string.digits
# The parts after the prefix of a name that `{prefix}_{tag}_{random6}` makes.
_TAGGED_TAIL = re.compile(rf"_[0-9a-f]{{{TAG_LENGTH}}}_")

_HOST = r"(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)"
_USER = r"[A-Za-z0-9\-_.!~*'()&=+$,;?/%]+"
_PARAM = r";[A-Za-z0-9\-_.!~*'()%]+(?:=[A-Za-z0-9\-_.!~*'()%\[\]/:&+$]+)?"
SIP_URI_RE = re.compile(rf"^sip:(?:{_USER}@)?{_HOST}(?::(?P<port>[0-9]{{1,5}}))?(?:{_PARAM})*$")


def tenant_tag(tenant_id: uuid.UUID | str) -> str:
    """The first 12 hex digits of sha256(the tenant id as a string)."""
    return hashlib.sha256(str(tenant_id).encode()).hexdigest()[:TAG_LENGTH]


def name_prefix(prefix: str) -> str:
    """CALLPLANE_TRUNK_PREFIX as used in friendly names (trimmed to leave room for tag+suffix)."""
    cleaned = (prefix or "").strip() or "cp"
    return cleaned[: FRIENDLY_NAME_MAX - TAG_LENGTH - SUFFIX_LENGTH - 2]


def domain_prefix(prefix: str) -> str:
    """The prefix as a DNS label part: lower-case letters, digits and single '-'."""
    label = re.sub(r"[^a-z0-9]+", "-", name_prefix(prefix).lower()).strip("-") or "cp"
    return label[: DOMAIN_LABEL_MAX - TAG_LENGTH - SUFFIX_LENGTH - 2].strip("-") or "cp"


def random_suffix() -> str:
    """Six random lower-case letters and digits."""
    return "".join(secrets.choice(_SUFFIX_ALPHABET) for _ in range(SUFFIX_LENGTH))


@dataclass(frozen=True)
class TrunkNames:
    """The friendly name and domain of a new trunk."""

    friendly_name: str
    domain_name: str


def tagged_prefix(prefix: str, tenant_id: uuid.UUID | str) -> str:
    """What every friendly name of this tenant's trunks (and credential lists) begins with."""
    return f"{name_prefix(prefix)}_{tenant_tag(tenant_id)}_"


def new_trunk_names(
    prefix: str, tenant_id: uuid.UUID | str, suffix: str | None = None
) -> TrunkNames:
    """`{prefix}_{tag}_{random6}` and `{prefix}-{tag}-{random6}.pstn.twilio.com`."""
    return _names(prefix, tenant_id, "", suffix)


def _names(prefix: str, tenant_id: uuid.UUID | str, middle: str, suffix: str | None) -> TrunkNames:
    suffix = suffix or random_suffix()
    tag = tenant_tag(tenant_id)
    return TrunkNames(
        friendly_name=f"{name_prefix(prefix)}_{tag}_{middle + '_' if middle else ''}{suffix}",
        domain_name=f"{domain_prefix(prefix)}-{tag}-{middle + '-' if middle else ''}{suffix}"
        + DOMAIN_SUFFIX,
    )


def is_tagged_for(name: str | None, prefix: str, tenant_id: uuid.UUID | str) -> bool:
    """True when the friendly name is one of this tenant's tagged names."""
    return bool(name) and name.startswith(tagged_prefix(prefix, tenant_id))  # type: ignore[union-attr]


def new_provider_trunk_names(
    prefix: str, tenant_id: uuid.UUID | str, provider: str, suffix: str | None = None
) -> TrunkNames:
    """A provider trunk of the tenant: `{prefix}_{tag}_{provider}_{random6}` and its domain."""
    return _names(prefix, tenant_id, provider, suffix)


def provider_of_name(name: str | None, prefix: str, tenant_id: uuid.UUID | str) -> str | None:
    """The provider a tenant's tagged trunk name is for (None: the tenant's own trunk)."""
    if not is_tagged_for(name, prefix, tenant_id):
        return None
    rest = (name or "")[len(tagged_prefix(prefix, tenant_id)) :]
    provider, sep, _suffix = rest.partition("_")
    return provider if sep and provider.isalpha() else None


def is_legacy_name(name: str | None, prefix: str) -> bool:
    """A name that begins with the prefix but carries no tag (any tenant's): a legacy trunk."""
    p = name_prefix(prefix)
    if not name or not name.startswith(p):
        return False
    return _TAGGED_TAIL.match(name, len(p)) is None


def new_sip_username(prefix: str) -> str:
    """A generated SIP user name (letters, digits and '-', up to 32 characters)."""
    head = domain_prefix(prefix)[: SIP_USERNAME_MAX - 17]
    return f"{head}-{secrets.token_hex(8)}"


def new_sip_password(length: int = SIP_PASSWORD_LENGTH) -> str:
    """A strong SIP password that meets Twilio's rules (12+, a digit, upper and lower case)."""
    if length < 12:
        raise ValueError("Twilio SIP passwords are at least 12 characters long")
    while True:
        password = "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(length))
        if (
            any(c.isdigit() for c in password)
            and any(c.islower() for c in password)
            and any(c.isupper() for c in password)
        ):
            return password


def sip_uri_problem(uri: str) -> str | None:
    """Why `uri` is not an acceptable origination SIP URI, or None when it is."""
    if len(uri) > SIP_URI_MAX:
        return f"must be at most {SIP_URI_MAX} characters"
    if not uri.lower().startswith("sip:"):
        return "must be a sip: URI, e.g. sip:agent.example.com;transport=tcp"
    match = SIP_URI_RE.match("sip:" + uri[4:])
    if match is None:
        return "is not a valid sip: URI (sip:[user@]host[:port][;param=value...])"
    port = match.group("port")
    if port is not None and not 1 <= int(port) <= 65535:
        return "has a port outside 1..65535"
    return None


def normalise_sip_uri(uri: str) -> str:
    """The URI with a lower-case scheme (call after `sip_uri_problem` said it is fine)."""
    return "sip:" + uri.strip()[4:]


def termination_uri(domain_name: str) -> str:
    """The SIP URI a provider sends outbound calls to."""
    return f"sip:{domain_name}"
