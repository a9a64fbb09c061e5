from typing import Literal

StripeEventOutOutcome = Literal["applied", "duplicate", "ignored", "stale"]

STRIPE_EVENT_OUT_OUTCOME_VALUES: set[StripeEventOutOutcome] = {
    "applied",
    "duplicate",
    "ignored",
    "stale",
}


def check_stripe_event_out_outcome(value: str) -> StripeEventOutOutcome:
    if value in STRIPE_EVENT_OUT_OUTCOME_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {STRIPE_EVENT_OUT_OUTCOME_VALUES!r}"
    )
