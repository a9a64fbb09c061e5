from typing import Literal

ProviderRegistrationSyncedEventSchemaVersion = Literal[1]

PROVIDER_REGISTRATION_SYNCED_EVENT_SCHEMA_VERSION_VALUES: set[
    ProviderRegistrationSyncedEventSchemaVersion
] = {
    1,
}


def check_provider_registration_synced_event_schema_version(
    value: int,
) -> ProviderRegistrationSyncedEventSchemaVersion:
    if value in PROVIDER_REGISTRATION_SYNCED_EVENT_SCHEMA_VERSION_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {PROVIDER_REGISTRATION_SYNCED_EVENT_SCHEMA_VERSION_VALUES!r}"
    )
