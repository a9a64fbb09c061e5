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

from collections.abc import Iterable, Sequence
from urllib.parse import parse_qs

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
        super().__init__()
        self._lists: dict[str, list[str]] = {}
        for key, value in pairs:
            self._lists.setdefault(key, []).append(value)
            self.setdefault(key, value)

    def getlist(self, key: str) -> list[str]:
        """Every value of `key`, in the order received."""
        return list(self._lists.get(key, ()))


def public_url(base_url: str, raw_path: str, query_string: str) -> str:
    """The URL Twilio requested: the configured public base, then path and query as received."""
    url = base_url.rstrip("/") + raw_path
    return f"{url}?{query_string}" if query_string else url


def signs_body_hash(query_string: str) -> bool:
    """True when the URL carries `bodySHA256` (a JSON body whose hash is signed via the URL)."""
    return "bodySHA256" in parse_qs(query_string)


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
    algorithm = get_signature_algorithm(settings_header)
    for token in tokens:
        if token and RequestValidator(token).validate(url, params, signature, algorithm):
            return True
    return False
