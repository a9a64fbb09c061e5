"""SIP URIs as the provider emulators and the sandbox's trunk termination read them."""

from __future__ import annotations

import pytest

from callplane.sandbox.providers.common import is_e164, uri_host
from callplane.sandbox.termination import termination_domain


@pytest.mark.parametrize(
    ("uri", "host"),
    [
        ("sip:sip.retellai.com;transport=tcp", "sip.retellai.com"),
        ("sip:+14155550100@Sip.RTC.ElevenLabs.io:5060;transport=tcp", "sip.rtc.elevenlabs.io"),
        ("sips:abc.sip.vapi.ai", "abc.sip.vapi.ai"),
        ("proj123.sip.livekit.cloud", "proj123.sip.livekit.cloud"),
        ("tenant.pstn.twilio.com:5061", "tenant.pstn.twilio.com"),
        ("sip:[2001:db8::1]:5060", "2001:db8::1"),
    ],
)
def test_uri_host(uri: str, host: str) -> None:
    assert uri_host(uri) == host


@pytest.mark.parametrize(
    ("uri", "domain"),
    [
        ("tenant-a.pstn.twilio.com", "tenant-a.pstn.twilio.com"),
        ("sip:Tenant-A.pstn.twilio.com;transport=tls", "tenant-a.pstn.twilio.com"),
        ("tenant-a.pstn.ashburn.twilio.com", "tenant-a.pstn.twilio.com"),
        ("acme.tenant-a.pstn.dublin.twilio.com:5060", "acme.tenant-a.pstn.twilio.com"),
        ("tenant-a.twilio.com", None),
        ("pstn.twilio.com", None),
        ("tenant-a.pstn.twilio.com.evil.example", None),
        ("sip.retellai.com", None),
    ],
)
def test_termination_domain(uri: str, domain: str | None) -> None:
    assert termination_domain(uri) == domain


def test_is_e164() -> None:
    assert is_e164("+14155550100")
    assert not is_e164("14155550100")
    assert not is_e164("+1415555")
    assert not is_e164(None)
