from typing import Literal

CallFallbackUsedEventSchemaVersion = Literal[1]

CALL_FALLBACK_USED_EVENT_SCHEMA_VERSION_VALUES: set[
    CallFallbackUsedEventSchemaVersion
] = {
    1,
}


def check_call_fallback_used_event_schema_version(
    value: int,
) -> CallFallbackUsedEventSchemaVersion:
    if value in CALL_FALLBACK_USED_EVENT_SCHEMA_VERSION_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {CALL_FALLBACK_USED_EVENT_SCHEMA_VERSION_VALUES!r}"
    )
