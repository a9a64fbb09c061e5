from typing import Literal

SubscriptionPutStatus = Literal["active", "canceled", "past_due"]

SUBSCRIPTION_PUT_STATUS_VALUES: set[SubscriptionPutStatus] = {
    "active",
    "canceled",
    "past_due",
}


def check_subscription_put_status(value: str) -> SubscriptionPutStatus:
    if value in SUBSCRIPTION_PUT_STATUS_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {SUBSCRIPTION_PUT_STATUS_VALUES!r}"
    )
