"""callplane: a multi-tenant telephony control plane for Twilio."""

__version__ = "0.1.0"
