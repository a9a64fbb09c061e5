from typing import Literal

ProviderRegistrationSyncedEventType = Literal["provider.registration_synced"]

PROVIDER_REGISTRATION_SYNCED_EVENT_TYPE_VALUES: set[
    ProviderRegistrationSyncedEventType
] = {
    "provider.registration_synced",
}


def check_provider_registration_synced_event_type(
    value: str,
) -> ProviderRegistrationSyncedEventType:
    if value in PROVIDER_REGISTRATION_SYNCED_EVENT_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {PROVIDER_REGISTRATION_SYNCED_EVENT_TYPE_VALUES!r}"
    )
