"""Drift reconciliation: list each account's numbers at Twilio, compare them with the database
(`compare`), and apply what differs, one small function per action (`apply`); `run` drives it."""
