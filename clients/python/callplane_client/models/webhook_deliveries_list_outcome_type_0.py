from typing import Literal

WebhookDeliveriesListOutcomeType0 = Literal["failed", "succeeded"]

WEBHOOK_DELIVERIES_LIST_OUTCOME_TYPE_0_VALUES: set[
    WebhookDeliveriesListOutcomeType0
] = {
    "failed",
    "succeeded",
}


def check_webhook_deliveries_list_outcome_type_0(
    value: str,
) -> WebhookDeliveriesListOutcomeType0:
    if value in WEBHOOK_DELIVERIES_LIST_OUTCOME_TYPE_0_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {WEBHOOK_DELIVERIES_LIST_OUTCOME_TYPE_0_VALUES!r}"
    )
