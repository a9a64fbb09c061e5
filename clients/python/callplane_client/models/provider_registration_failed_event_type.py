from typing import Literal

ProviderRegistrationFailedEventType = Literal["provider.registration_failed"]

PROVIDER_REGISTRATION_FAILED_EVENT_TYPE_VALUES: set[
    ProviderRegistrationFailedEventType
] = {
    "provider.registration_failed",
}


def check_provider_registration_failed_event_type(
    value: str,
) -> ProviderRegistrationFailedEventType:
    if value in PROVIDER_REGISTRATION_FAILED_EVENT_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {PROVIDER_REGISTRATION_FAILED_EVENT_TYPE_VALUES!r}"
    )
