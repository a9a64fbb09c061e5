from typing import Literal

SmsInMode = Literal["none", "reply", "webhook"]

SMS_IN_MODE_VALUES: set[SmsInMode] = {
    "none",
    "reply",
    "webhook",
}


def check_sms_in_mode(value: str) -> SmsInMode:
    if value in SMS_IN_MODE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {SMS_IN_MODE_VALUES!r}"
    )
