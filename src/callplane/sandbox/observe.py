"""What the sandbox reports about each Twilio API exchange it answers (for contract checks)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ObservedExchange:
    """One Twilio-API request the sandbox answered.

    product: "api" | "trunking" | "pricing" | "numbers" | "messaging" (the twilio.com subdomain).
    path: the Twilio path as on real Twilio, without the product prefix,
          e.g. "/2010-04-01/Accounts/AC.../IncomingPhoneNumbers.json".
    body: the parsed JSON body of the answer (None for an empty body, e.g. a 204).
    """

    product: str
    method: str
    path: str
    status: int
    body: Any
    query: dict[str, str] = field(default_factory=dict)
    form: dict[str, str] = field(default_factory=dict)


Observer = Callable[[ObservedExchange], None]
