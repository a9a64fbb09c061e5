from typing import Literal

ProviderRegistrationFailedEventSchemaVersion = Literal[1]

PROVIDER_REGISTRATION_FAILED_EVENT_SCHEMA_VERSION_VALUES: set[
    ProviderRegistrationFailedEventSchemaVersion
] = {
    1,
}


def check_provider_registration_failed_event_schema_version(
    value: int,
) -> ProviderRegistrationFailedEventSchemaVersion:
    if value in PROVIDER_REGISTRATION_FAILED_EVENT_SCHEMA_VERSION_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {PROVIDER_REGISTRATION_FAILED_EVENT_SCHEMA_VERSION_VALUES!r}"
    )
