"""The URLs Twilio accepts in its write operations, refused at write time as Twilio refuses them.

Twilio's webhook URLs "conform to the standard syntax of a generic URI" (RFC 3986) and its error
21502 asks for "a fully qualified URL including protocol, hostname, file path and properly
url-encoded query parameters". So a URL is accepted only when it is an absolute `http`/`https`
URI of RFC 3986 with a DNS host name (letters, digits, `-`; no `_`, as 21609 says), an IPv4 or
a bracketed IPv6 address, an optional port, and nothing outside RFC 3986's characters: a raw
space, a non-ASCII character, `"`, `<`, `>`, `\\`, `^`, `` ` ``, `{`, `|`, `}` or a `%` not
followed by two hex digits is refused. What is accepted is requested and signed exactly as
stored (inbound.py signs the URL it requests), so a receiver validating what it received
accepts the signature.
"""

from __future__ import annotations

import ipaddress
import re

from callplane.sandbox.errors import TwilioError
from callplane.sandbox.util import Params

MAX_URL_LENGTH = 4000  # 21609: "The URL exceeds the 4000-character limit"

_PCT = r"%[0-9A-Fa-f]{2}"
_UNRESERVED = r"A-Za-z0-9\-._~"
_SUB_DELIMS = r"!$&'()*+,;="
_PCHAR = rf"(?:[{_UNRESERVED}{_SUB_DELIMS}:@]|{_PCT})"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_URL_RE = re.compile(
    r"^(?P<scheme>[Hh][Tt][Tt][Pp][Ss]?)://"
    rf"(?:(?:[{_UNRESERVED}{_SUB_DELIMS}:]|{_PCT})*@)?"  # userinfo (HTTP auth), optional
    rf"(?P<host>\[[0-9A-Fa-f:.]+\]|{_LABEL}(?:\.{_LABEL})*\.?)"
    r"(?::(?P<port>[0-9]{1,5}))?"
    rf"(?P<path>(?:/{_PCHAR}*)*)"
    rf"(?:\?(?:{_PCHAR}|[/?])*)?"
    rf"(?:#(?:{_PCHAR}|[/?])*)?$"
)
_SIP_RE = re.compile(r"^sips?:[\x21-\x7e]+$")
_SIP_FORBIDDEN = set('"<>\\^`{|}')


def is_valid_url(value: str) -> bool:
    """Whether Twilio accepts `value` as a callback URL (see the module's rule)."""
    if len(value) > MAX_URL_LENGTH:
        return False
    match = _URL_RE.match(value)
    if match is None:
        return False
    port = match.group("port")
    if port is not None and not 0 < int(port) <= 65535:
        return False
    host = match.group("host")
    if host.startswith("["):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            return False
    return True


def is_valid_sip_uri(value: str) -> bool:
    """Whether `value` is a `sip:`/`sips:` URI of printable ASCII without RFC 3261's excluded marks."""
    return (
        len(value) <= MAX_URL_LENGTH
        and _SIP_RE.match(value) is not None
        and not _SIP_FORBIDDEN.intersection(value)
    )


def url_param(params: Params, name: str, code: int, status: int = 400) -> str | None:
    """The URL parameter `name` ("" clears it), or Twilio's error `code` when it is not a URL."""
    value = params.get(name)
    if value is None or value == "":
        return value
    if not is_valid_url(value):
        raise TwilioError(
            status,
            code,
            f"{name} is not a valid URL: use an absolute http(s) URL with a host name and "
            "properly url-encoded path and query",
        )
    return value


def url_params(params: Params, name: str, code: int) -> list[str]:
    """Every value of a repeated URL parameter (MediaUrl), each checked like `url_param`."""
    values = [v for v in params.getall(name) if v]
    for value in values:
        if not is_valid_url(value):
            raise TwilioError(400, code, f"{name} is not a valid URL: {len(values)} given")
    return values
