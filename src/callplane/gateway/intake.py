"""Steps 1 to 3 of an inbound webhook (DESIGN section 6): is it a Twilio form, from an account
the gateway knows, signed by that account? Anything else is refused before any routing: a 4xx,
or 503 when the routing database cannot be read.

1. read the form (a non-form or oversized body is a 4xx, never a 500);
2. find the account by `AccountSid` (unknown: 403);
3. verify `X-Twilio-Signature` with that account's tokens over the public URL (invalid: 403,
   counted and logged without secrets).
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable
from functools import lru_cache
from typing import NamedTuple, TypeVar
from urllib.parse import parse_qsl

from prometheus_client import Counter
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from callplane.gateway.decision import NumberRoute
from callplane.gateway.lifespan import Gateway
from callplane.gateway.lookup import NORMALISED_CACHE_SIZE
from callplane.gateway.route_cache import AccountAuth
from callplane.gateway.twilio_signature import (
    SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER,
    FormParams,
    public_url,
    signs_body_hash,
    verify_signature,
)
from callplane.log import get_logger
from callplane.phone import try_normalize_e164

log = get_logger(__name__)
T = TypeVar("T")

MAX_FORM_BYTES = 64 * 1024  # Twilio's forms are a few kB; an SMS body is at most 1600 chars
MAX_FIELDS = 256
ACCOUNT_SID_RE = re.compile(r"AC[0-9a-fA-F]{32}")
# Webhooks about a call or message to one of the numbers: the number (`To`) is looked up.
ROUTED_KINDS = ("voice", "sms", "voice_fallback")

SIGNATURE_FAILURES = Counter(
    "callplane_webhook_signature_failures_total",
    "Webhooks refused with 403 (unknown account, missing or invalid signature)",
    ["kind", "reason"],
)


class Refusal(Exception):
    """A webhook answered with an error before any routing: a 4xx, or 503 when the routing
    database cannot be read."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def response(self) -> Response:
        return JSONResponse(
            {"error": {"code": self.code, "message": self.message}}, status_code=self.status
        )


E164_SHAPE = re.compile(r"\+[1-9][0-9]{6,14}")


def normalized(raw: str | None) -> str | None:
    """`phone.try_normalize_e164`, remembered: the numbers called are the numbers held."""
    if not raw or len(raw) > 40:  # not a phone number; and never a big key in the cache
        return None
    return _normalized(raw)


@lru_cache(maxsize=NORMALISED_CACHE_SIZE)
def _normalized(raw: str) -> str | None:
    return try_normalize_e164(raw)


NUL = "\x00"
NUL_REPLACEMENT = "\ufffd"  # what a decoder puts for a character it cannot keep


class Form(NamedTuple):
    """A webhook's fields and what its signature covers."""

    fields: FormParams
    signed: FormParams | str  # the fields; the raw body when the URL signs its hash (JSON)


def may_hold_nul(text: str) -> bool:
    """Whether a form or JSON body may decode to a NUL (cheap: most bodies are not scanned)."""
    return NUL in text or "%00" in text or "\\u0000" in text


def without_nul(fields: FormParams) -> FormParams:
    """`fields` with every NUL replaced by U+FFFD (PostgreSQL text, XML and most apps cannot
    hold one). Replaced, not dropped: `+1415<NUL>555...` must not become one of our numbers."""
    return FormParams(
        (key.replace(NUL, NUL_REPLACEMENT), value.replace(NUL, NUL_REPLACEMENT))
        for key, value in fields.pairs()
    )


def _is_json(ctype: str) -> bool:
    media = ctype.split(";", 1)[0].strip()
    return media == "application/json" or media.endswith("+json")


async def read_form(request: Request, url: str) -> Form:
    """The webhook's form as Twilio's validators see it for `url`; 4xx Refusal for a body that
    is neither a form nor the JSON variant.

    The JSON variant is decided by the URL's parsed query, exactly as the SDK decides it (never
    by a substring): a JSON post whose URL does not sign the body's hash carries no form at all,
    as for a web framework, so it is refused as unsigned (403) like any request without an
    AccountSid.
    """
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise Refusal(413, "payload_too_large", f"a webhook body is at most {MAX_FORM_BYTES} bytes")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refusal(400, "bad_request", "the body is not UTF-8") from None
    ctype = request.headers.get("content-type", "").lower()
    if signs_body_hash(url):
        # Twilio's JSON variant: the body's hash is signed through the URL.
        try:
            data = json.loads(text)
        except ValueError:
            raise Refusal(400, "bad_request", "the body is not valid JSON") from None
        if not isinstance(data, dict):
            raise Refusal(400, "bad_request", "the JSON body must be an object")
        fields = FormParams(
            (str(k), v if isinstance(v, str) else json.dumps(v)) for k, v in data.items()
        )
        return Form(without_nul(fields) if may_hold_nul(text) else fields, text)
    if _is_json(ctype):
        return Form(FormParams(), FormParams())
    if not ctype.startswith("application/x-www-form-urlencoded"):
        raise Refusal(
            415,
            "unsupported_media_type",
            "Twilio webhooks are application/x-www-form-urlencoded posts",
        )
    try:
        pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except ValueError:
        raise Refusal(400, "bad_request", "the form has too many fields") from None
    fields = FormParams(pairs)
    # The signature covers what was sent; everything after it sees the fields without NULs.
    return Form(without_nul(fields) if may_hold_nul(text) else fields, fields)


async def lookup(read: Awaitable[T]) -> T:
    """A lookup; the database failing is a 503 (Twilio tries its fallback URL), never a 500."""
    try:
        return await read
    except Exception as exc:
        log.error("gateway lookup failed", error=type(exc).__name__)
        raise Refusal(503, "unavailable", "the routing database is unavailable") from exc


def _raw_path(request: Request) -> str:
    raw: bytes | None = request.scope.get("raw_path")
    if raw:
        return raw.decode("latin-1")
    return str(request.scope.get("root_path", "")) + str(request.scope["path"])


class Admitted(NamedTuple):
    """A webhook that passed steps 1-3."""

    fields: FormParams
    account: AccountAuth  # whose token signed it
    to: str | None  # E.164 of `To` (calls and messages)
    route: NumberRoute | None  # the active number `to` in that account


async def authenticate(gateway: Gateway, request: Request, kind: str) -> Admitted:
    """Steps 1-3: the form and the account whose token signed it; 4xx Refusal otherwise.

    For calls and messages the number (`To`) is read in the same round trip as the account's
    tokens; it is used only once the signature verified.
    """
    query = request.scope.get("query_string", b"").decode("latin-1")
    url = public_url(gateway.settings.public_base_url, _raw_path(request), query)
    fields, signed = await read_form(request, url)
    account_sid = fields.get("AccountSid", "")

    def refuse(reason: str, message: str) -> Refusal:
        SIGNATURE_FAILURES.labels(kind=kind, reason=reason).inc()
        # Never the signature, the tokens or the form: the account and the reason are enough.
        log.warning(
            "webhook refused",
            kind=kind,
            reason=reason,
            account_sid=account_sid[:34] if ACCOUNT_SID_RE.fullmatch(account_sid) else None,
            path=request.url.path,
            client=request.client.host if request.client else None,
        )
        return Refusal(403, "forbidden", message)

    if not ACCOUNT_SID_RE.fullmatch(account_sid):
        raise refuse("missing_account_sid", "the webhook carries no valid AccountSid")
    raw_to = fields.get("To") if kind in ROUTED_KINDS else None
    # Twilio writes `To` in E.164: looked up as written (a held number is stored so), parsed
    # only when no held number has it, so that parsing is not paid (nor cached) per number.
    as_written = raw_to is not None and E164_SHAPE.fullmatch(raw_to) is not None
    to = raw_to if as_written else normalized(raw_to)
    resolved = await lookup(gateway.lookup.resolve(account_sid, to))
    if as_written and resolved.route is None:
        to = normalized(raw_to)
        if to is not None and to != raw_to:
            resolved = await lookup(gateway.lookup.resolve(account_sid, to))
    auth = resolved.account
    if auth is None or not auth.tokens:
        raise refuse("unknown_account", "no tenant uses this Twilio account")
    signature = request.headers.get(SIGNATURE_HEADER)
    if not signature:
        raise refuse("missing_signature", "the X-Twilio-Signature header is missing")
    settings_header = request.headers.get(SIGNATURE_SETTINGS_HEADER)

    def verifies(account: AccountAuth) -> bool:
        return verify_signature(
            tokens=account.tokens,
            url=url,
            params=signed,
            signature=signature,
            settings_header=settings_header,
        )

    verified = verifies(auth)
    if not verified and not auth.complete:
        # Only the number's tenant's connection was read: try every connection of the account.
        full = await lookup(gateway.lookup.account(account_sid))
        if full is not None:
            auth = full
            verified = verifies(auth)
    if not verified:
        raise refuse("invalid_signature", "the X-Twilio-Signature does not verify")
    return Admitted(fields, auth, to, resolved.route)
