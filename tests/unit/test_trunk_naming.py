"""Trunk names, domains, SIP credentials and origination URIs (no I/O)."""

from __future__ import annotations

import hashlib
import re
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callplane.trunks import naming

DOMAIN_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


def test_tag_is_the_first_12_hex_of_sha256_of_the_whole_id() -> None:
    tid = uuid.UUID("5f3a1b2c-0000-4000-8000-000000000001")
    assert naming.tenant_tag(tid) == hashlib.sha256(str(tid).encode()).hexdigest()[:12]
    assert naming.tenant_tag(tid) == naming.tenant_tag(str(tid))


def test_ids_sharing_their_first_8_characters_get_different_tags() -> None:
    ids = [uuid.UUID("5f3a1b2c" + uuid.uuid4().hex[8:]) for _ in range(200)]
    assert len({naming.tenant_tag(i) for i in ids}) == 200
    a, b = ids[:2]
    assert not naming.is_tagged_for(naming.new_trunk_names("cp", a).friendly_name, "cp", b)


def test_names_and_domain() -> None:
    tid = uuid.uuid4()
    tag = naming.tenant_tag(tid)
    names = naming.new_trunk_names("cp", tid, suffix="abc123")
    assert names.friendly_name == f"cp_{tag}_abc123"
    assert names.domain_name == f"cp-{tag}-abc123.pstn.twilio.com"
    assert naming.is_tagged_for(names.friendly_name, "cp", tid)
    assert not naming.is_legacy_name(names.friendly_name, "cp")
    assert re.fullmatch(r"[a-z0-9]{6}", naming.random_suffix())


@given(st.text(min_size=0, max_size=120))
def test_any_prefix_gives_names_within_twilios_limits(prefix: str) -> None:
    tid = uuid.uuid4()
    names = naming.new_trunk_names(prefix, tid)
    assert len(names.friendly_name) <= naming.FRIENDLY_NAME_MAX
    label, _, rest = names.domain_name.partition(".")
    assert rest == "pstn.twilio.com" and DOMAIN_LABEL.match(label), names.domain_name
    assert naming.is_tagged_for(names.friendly_name, prefix, tid)
    user = naming.new_sip_username(prefix)
    assert len(user) <= naming.SIP_USERNAME_MAX and re.fullmatch(r"[a-z0-9-]+", user)


def test_a_prefix_with_odd_characters() -> None:
    names = naming.new_trunk_names("Acme Voice_AI!", uuid.uuid4(), suffix="zz9999")
    assert names.friendly_name.startswith("Acme Voice_AI!_")
    assert names.domain_name.startswith("acme-voice-ai-")


@pytest.mark.parametrize(
    ("name", "legacy"),
    [
        ("cp", True),
        ("cp_5f3a1b2c", True),  # the old "first 8 characters of the tenant id" scheme
        ("cp-shared", True),
        ("cp_5f3a1b2c0000_abcdef", False),  # tagged (12 hex digits): some tenant's trunk
        ("cp_5F3A1B2C0000_abcdef", True),  # not a tag: tags are lower-case hex
        ("other", False),
        (None, False),
        ("", False),
    ],
)
def test_legacy_names(name: str | None, legacy: bool) -> None:
    assert naming.is_legacy_name(name, "cp") is legacy


def test_passwords_meet_twilios_rules_and_differ() -> None:
    seen = set()
    for _ in range(200):
        p = naming.new_sip_password()
        assert (
            len(p) >= 12
            and re.search(r"\d", p)
            and re.search(r"[a-z]", p)
            and re.search(r"[A-Z]", p)
        )
        seen.add(p)
    assert len(seen) == 200
    with pytest.raises(ValueError):
        naming.new_sip_password(8)


@pytest.mark.parametrize(
    "uri",
    [
        "sip:agent.example.com",
        "sip:agent.example.com:5060",
        "sip:agent.example.com;transport=tcp",
        "sip:+15551230000@agent.example.com;transport=tls",
        "sip:10.0.0.1",
        "sip:[2001:db8::1]:5061",
        "SIP:agent.example.com",
        "sip:abc123.sip.livekit.cloud",
    ],
)
def test_good_sip_uris(uri: str) -> None:
    assert naming.sip_uri_problem(uri) is None
    assert naming.normalise_sip_uri(uri).startswith("sip:")


@pytest.mark.parametrize(
    "uri",
    [
        "",
        "http://agent.example.com",
        "sips:agent.example.com",
        "agent.example.com",
        "sip:",
        "sip:agent example.com",
        "sip:agent.example.com:0",
        "sip:agent.example.com:99999",
        "sip:-bad.example.com",
        "sip:" + "a" * 300,
    ],
)
def test_bad_sip_uris(uri: str) -> None:
    assert naming.sip_uri_problem(uri) is not None


def test_termination_uri() -> None:
    assert naming.termination_uri("cp-x-y.pstn.twilio.com") == "sip:cp-x-y.pstn.twilio.com"
