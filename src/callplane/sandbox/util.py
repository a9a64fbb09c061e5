"""Small helpers shared by the sandbox modules: SIDs, dates, request parameters."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime
from email.utils import format_datetime
from functools import lru_cache

from callplane.sandbox.errors import invalid_param

SID_RE = re.compile(r"^[A-Z]{2}[0-9a-f]{32}$")


def new_sid(prefix: str) -> str:
    """A fresh Twilio SID: two-letter prefix and 32 lowercase hex digits."""
    return prefix + secrets.token_hex(16)


def new_token() -> str:
    """A fresh 32-hex auth token or key secret."""
    return secrets.token_hex(16)


def is_sid(value: str | None, prefix: str) -> bool:
    """Whether `value` is shaped like a SID with that prefix."""
    return value is not None and value.startswith(prefix) and SID_RE.match(value) is not None


def now() -> datetime:
    """The current time, UTC, to the second (Twilio's resolution)."""
    return datetime.now(UTC).replace(microsecond=0)


def rfc2822(value: datetime | None) -> str | None:
    """`Thu, 30 Jul 2015 20:00:00 +0000`, as v2010 writes dates."""
    if value is None:
        return None
    return _rfc2822(value)


# Dates are to the second and numbers are made in bursts, so a page of 1,000 numbers holds few
# distinct dates: formatting each once keeps a big page from stalling the sandbox's event loop.
@lru_cache(maxsize=4096)
def _rfc2822(value: datetime) -> str:
    return format_datetime(value.astimezone(UTC))


def iso8601(value: datetime | None) -> str | None:
    """`2015-07-30T20:00:00Z`, as v1/v2 APIs write dates."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


TRUE_WORDS = {"true", "1", "yes", "on"}
FALSE_WORDS = {"false", "0", "no", "off"}


class Params:
    """Form or query parameters of one request, read the way Twilio reads them."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self.pairs = pairs
        self._first: dict[str, str] = {}
        for key, value in pairs:
            self._first.setdefault(key, value)

    def __contains__(self, name: str) -> bool:
        return name in self._first

    def get(self, name: str, default: str | None = None) -> str | None:
        """The first value of `name`, or `default`."""
        return self._first.get(name, default)

    def getall(self, name: str) -> list[str]:
        """Every value of a repeated parameter."""
        return [v for k, v in self.pairs if k == name]

    def text(self, name: str, *, max_len: int | None = None) -> str | None:
        """A string parameter, refused past `max_len` characters."""
        value = self.get(name)
        if value is not None and max_len is not None and len(value) > max_len:
            raise invalid_param(name, f"must be at most {max_len} characters")
        return value

    def boolean(self, name: str, default: bool | None = None) -> bool | None:
        """`true`/`false` (Twilio also takes 1/0)."""
        value = self.get(name)
        if value is None or value == "":
            return default
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise invalid_param(name, "must be true or false")

    def integer(
        self, name: str, default: int | None = None, *, lo: int | None = None, hi: int | None = None
    ) -> int | None:
        """An integer parameter within [lo, hi]."""
        value = self.get(name)
        if value is None or value == "":
            return default
        try:
            number = int(value.strip())
        except ValueError:
            raise invalid_param(name, "must be an integer") from None
        if (lo is not None and number < lo) or (hi is not None and number > hi):
            raise invalid_param(name, f"must be between {lo} and {hi}")
        return number

    def method(self, name: str, default: str | None = None) -> str | None:
        """An HTTP method parameter: GET or POST, as Twilio accepts for callbacks."""
        value = self.get(name)
        if value is None or value == "":
            return default
        upper = value.strip().upper()
        if upper not in ("GET", "POST"):
            raise invalid_param(name, "must be GET or POST")
        return upper

    def as_dict(self) -> dict[str, str]:
        """First value of every parameter (for the observer)."""
        return dict(self._first)
