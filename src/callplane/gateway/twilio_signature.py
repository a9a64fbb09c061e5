"""Twilio webhook signatures, checked with the SDK's own RequestValidator.

The URL that was signed is rebuilt from CALLPLANE_PUBLIC_BASE_URL plus the path and query exactly
as received: behind a TLS-terminating proxy the app sees `http://10.0.0.5:8000/...` while Twilio
signed `https://api.example.com/...`, and `X-Forwarded-*` headers are never trusted for this.

Two variants are accepted, both implemented by the SDK:
- form posts: HMAC over URL + sorted form parameters (SHA-1, or SHA-256 when Twilio says so in
  `X-Twilio-Webhooks-Signature-Settings`);
- JSON posts: the URL carries `bodySHA256=<hex sha256 of the raw body>`, the HMAC covers the URL
  only and the SDK also checks the body hash.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Sequence
from functools import lru_cache
from urllib.parse import parse_qs, urlparse

from twilio.request_validator import (
    SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    get_signature_algorithm,
)

__all__ = [
    "SIGNATURE_HEADER",
    "SIGNATURE_SETTINGS_HEADER",
    "FormParams",
    "public_url",
    "signs_body_hash",
    "verify_signature",
]


class FormParams(dict[str, str]):
    """Form fields: `params[name]` is the first value, `getlist(name)` all of them.

    The SDK's validator signs every value of a repeated field (it calls `getlist`), so a
    request that repeats a field is verified over exactly what was sent.
    """

    def __init__(self, pairs: Iterable[tuple[str, str]] = ()) -> None:
        pairs = list(pairs)
        super().__init__(pairs)
        self._repeated: dict[str, list[str]] = {}
        if len(self) != len(pairs):  # some field repeats: its first value is the field's value
            lists: dict[str, list[str]] = {}
            for key, value in pairs:
                lists.setdefault(key, []).append(value)
            self._repeated = {key: values for key, values in lists.items() if len(values) > 1}
            for key, values in self._repeated.items():
                self[key] = values[0]

    def getlist(self, key: str) -> list[str]:
        """Every value of `key`, in the order received."""
        if key in self._repeated:
            return list(self._repeated[key])
        return [self[key]] if key in self else []

    # The SDK's validator asks for `getall` first (MultiDict's name for it).
    getall = getlist

    def pairs(self) -> list[tuple[str, str]]:
        """Every (name, value), repeated fields included."""
        return [(key, value) for key in self for value in self.getlist(key)]


def public_url(base_url: str, raw_path: str, query_string: str) -> str:
    """The URL Twilio requested: the configured public base, then path and query as received."""
    url = base_url.rstrip("/") + raw_path
    return f"{url}?{query_string}" if query_string else url


def signs_body_hash(url: str) -> bool:
    """True when `url` carries `bodySHA256` (a JSON body whose hash is signed via the URL).

    Decided exactly as the SDK's `RequestValidator.validate` decides it (the parsed query of the
    parsed URL: a blank value, a `#` before it or `a=bodySHA256=1` do not count): the raw body
    goes to the SDK only when the SDK itself will treat it as a body, never as a form.
    """
    return "bodySHA256" in parse_qs(urlparse(url).query)


def verify_signature(
    *,
    tokens: Sequence[str],
    url: str,
    params: FormParams | str,
    signature: str | None,
    settings_header: str | None = None,
) -> bool:
    """True when `signature` was made by one of `tokens` over this request.

    `params` is the parsed form for form posts, or the raw body text when the URL carries
    `bodySHA256`. Tokens are tried in order (the current one, then a previous one still in its
    grace period); an empty or missing signature never verifies.
    """
    if not signature or not tokens:
        return False
    if isinstance(params, str) and not signs_body_hash(url):
        return False  # the SDK would read the text as a form (and fail on it): nothing signed it
    algorithm = get_signature_algorithm(settings_header)
    validators = [_validator(token) for token in tokens if token]
    if isinstance(params, FormParams):
        # The common case first: Twilio signed exactly this URL with the current token. Only
        # when that does not match do the SDK's full checks run (URL with and without the
        # port, every token), so a valid webhook costs one HMAC instead of two per token.
        try:
            expected = validators[0].compute_signature(url, params, algorithm)
        except (ValueError, IndexError):
            return False
        if hmac.compare_digest(expected.encode(), signature.encode()):
            return True
    return any(v.validate(url, params, signature, algorithm) for v in validators)


@lru_cache(maxsize=1024)
def _validator(token: str) -> RequestValidator:
    return RequestValidator(token)
