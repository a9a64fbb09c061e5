"""Property-based fuzzing of the gateway's pure parts: number normalisation and signatures.

- `callplane.phone`: for any text and any country, `normalize_e164` answers E.164 or raises
  InvalidPhoneNumber, nothing else; its answer is a fixed point (normalising it again, with
  any country, gives it back) and parses back to the same number; every real number of every
  region, written in any of the usual formats, normalises to its E.164.
- `gateway.twilio_signature.verify_signature`: a form or JSON body signed by Twilio's algorithm with the
  account's token verifies; any change to what was signed (a field's name or value, a field
  added or dropped, the URL's path or query, the body, the token, the signature) does not.
  Names and values carry NUL characters and text that is not Latin-1 as often as not.
- The JSON-body variant is decided as the SDK decides it, for any query: a body string never
  reaches the SDK's form path (which raised on it: a 500), and never verifies there.
- `gateway.intake.without_nul`: every NUL of every field becomes U+FFFD, nothing else changes.
"""

from __future__ import annotations

import hashlib
import re
import string
from typing import Any
from urllib.parse import parse_qs, quote, urlparse

import phonenumbers
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from callplane.gateway.intake import without_nul
from callplane.gateway.twilio_signature import FormParams, signs_body_hash, verify_signature
from callplane.phone import InvalidPhoneNumber, normalize_e164, try_normalize_e164

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
E164 = re.compile(r"^\+[1-9]\d{1,14}$")
REGIONS = sorted(phonenumbers.SUPPORTED_REGIONS)
TYPES = [
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.TOLL_FREE,
]
FORMATS = [
    phonenumbers.PhoneNumberFormat.E164,
    phonenumbers.PhoneNumberFormat.INTERNATIONAL,
    phonenumbers.PhoneNumberFormat.NATIONAL,
    phonenumbers.PhoneNumberFormat.RFC3966,
]

# Text that looks like phone numbers (digits, separators, +, 00, letters now and then) as well
# as anything at all.
phoneish = st.text(alphabet="0123456789+-() .x/#*" + "ext", max_size=30)
countries = st.one_of(
    st.none(),
    st.sampled_from(REGIONS),
    st.text(max_size=4),
    st.sampled_from(["us", "gb", "ZZ", "001"]),
)


def _check_e164(out: str) -> None:
    assert E164.match(out), out
    parsed = phonenumbers.parse(out, None)
    assert phonenumbers.is_valid_number(parsed)
    assert phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == out


@FUZZ
@given(raw=st.one_of(phoneish, st.text(max_size=60)), country=countries)
@example(raw="+1 (415) 523-4271", country=None)
@example(raw="0044 20 3700 4271", country=None)
@example(raw="\u0661\u0662\u0663", country="EG")  # Arabic-Indic digits
@example(raw="+1415\x005234271", country=None)  # a NUL inside
@example(raw="+14155234271\x00€", country="US")
def test_normalize_answers_e164_or_invalid_number(raw: str, country: str | None) -> None:
    try:
        out = normalize_e164(raw, country=country)
    except InvalidPhoneNumber as exc:
        assert exc.code == "invalid_phone_number" and exc.status_code == 422
        assert try_normalize_e164(raw, country=country) is None
        return
    _check_e164(out)
    assert normalize_e164(out) == out  # idempotent on its own output
    assert normalize_e164(out, country=country) == out  # a + number ignores the country
    assert try_normalize_e164(out) == out


@FUZZ
@given(
    region=st.sampled_from(REGIONS),
    kind=st.sampled_from(TYPES),
    fmt=st.sampled_from(FORMATS),
    pad=st.sampled_from(["", " ", "  ", "\t"]),
)
def test_real_numbers_in_any_usual_format_normalise_to_their_e164(
    region: str, kind: Any, fmt: Any, pad: str
) -> None:
    number = phonenumbers.example_number_for_type(region, kind)
    assume(number is not None and phonenumbers.is_valid_number(number))
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    written = phonenumbers.format_number(number, fmt)
    if fmt == phonenumbers.PhoneNumberFormat.RFC3966:
        written = written.removeprefix("tel:")
    out = normalize_e164(pad + written + pad, country=region)
    assert out == e164
    _check_e164(out)
    # International forms need no country; "00" works wherever "+" does.
    if written.startswith("+"):
        assert normalize_e164(written) == e164
        assert normalize_e164("00" + written[1:]) == e164


# -- signatures -------------------------------------------------------------------------------

tokens = st.text(alphabet="0123456789abcdef", min_size=32, max_size=32)
# NUL, Latin-1 and beyond, often (no surrogates: a form is UTF-8 text).
hard = st.one_of(
    st.sampled_from(["\x00", "€", "ü", "✓", "漢", "😀", "\ufffd"]),
    st.characters(blacklist_categories=("Cs",)),
)
names = st.one_of(
    st.text(alphabet=string.ascii_letters + string.digits + "_", min_size=1, max_size=12),
    st.text(alphabet=hard, min_size=1, max_size=6),
)
values = st.one_of(st.text(max_size=40), st.text(alphabet=hard, max_size=12))
forms = st.lists(st.tuples(names, values), min_size=0, max_size=12)
paths = st.sampled_from(
    [
        "/webhooks/twilio/voice",
        "/webhooks/twilio/sms",
        "/webhooks/twilio/status",
        "/webhooks/twilio/recording",
    ]
)
queries = st.one_of(st.just(""), st.text(alphabet=string.ascii_letters + "=&%2019", max_size=20))
BASE = "https://callplane.example.test"


def _url(path: str, query: str) -> str:
    return f"{BASE}{path}?{query}" if query else f"{BASE}{path}"


def _sign(token: str, url: str, params: FormParams, algorithm: str) -> str:
    return RequestValidator(token).compute_signature(url, params, algorithm)


@st.composite
def mutations(
    draw: Any, pairs: list[tuple[str, str]], path: str, query: str
) -> tuple[Any, str, str]:
    """One change to what was signed: (pairs, path, query)."""
    kind = draw(st.sampled_from(["value", "name", "add", "drop", "path", "query"]))
    pairs = list(pairs)
    if kind == "value" and pairs:
        i = draw(st.integers(0, len(pairs) - 1))
        pairs[i] = (pairs[i][0], pairs[i][1] + draw(st.text(min_size=1, max_size=3)))
    elif kind == "name" and pairs:
        i = draw(st.integers(0, len(pairs) - 1))
        pairs[i] = (pairs[i][0] + draw(names), pairs[i][1])
    elif kind == "drop" and pairs:
        pairs.pop(draw(st.integers(0, len(pairs) - 1)))
    elif kind == "path":
        path = path + draw(st.sampled_from(["x", "/", "%20", "s"]))
    elif kind == "query":
        query = query + draw(st.sampled_from(["&a=1", "x", "=", "%41"]))
    else:
        pairs.append((draw(names), draw(values)))
    return pairs, path, query


@FUZZ
@given(
    token=tokens,
    pairs=forms,
    path=paths,
    query=queries,
    data=st.data(),
    algorithm=st.sampled_from(["HMAC_SHA1", "HMAC_SHA256"]),
)
def test_only_the_exact_signed_form_verifies(
    token: str, pairs: list[tuple[str, str]], path: str, query: str, data: Any, algorithm: str
) -> None:
    params = FormParams(pairs)
    url = _url(path, query)
    # Twilio names SHA-256 in X-Twilio-Webhooks-Signature-Settings; no header means SHA-1.
    header = (
        f"key=webhooks_sharedkey_x,algorithm={algorithm}" if algorithm == "HMAC_SHA256" else None
    )
    signature = _sign(token, url, params, algorithm)

    def verifies(*, tokens: list[str], url: str, params: FormParams, signature: str) -> bool:
        return verify_signature(
            tokens=tokens, url=url, params=params, signature=signature, settings_header=header
        )

    assert verifies(tokens=[token], url=url, params=params, signature=signature)
    # The same form, fields in another order: the same request.
    assert verifies(
        tokens=[token], url=url, params=FormParams(reversed(pairs)), signature=signature
    )

    new_pairs, new_path, new_query = data.draw(mutations(pairs, path, query))
    new_params = FormParams(new_pairs)
    new_url = _url(new_path, new_query)
    # Twilio's scheme signs a canonical string: a change it cannot see (the SDK signs the new
    # request alike) is not a change.
    assume(_sign(token, new_url, new_params, algorithm) != signature)
    assert not verifies(tokens=[token], url=new_url, params=new_params, signature=signature)
    # The right form with another token, or another signature, does not verify either.
    other = data.draw(tokens.filter(lambda t: t != token))
    assert not verifies(tokens=[other], url=url, params=params, signature=signature)
    flipped = data.draw(st.text(min_size=1, max_size=40).filter(lambda s: s != signature))
    assert not verifies(tokens=[token], url=url, params=params, signature=flipped)
    assert not verifies(tokens=[token], url=url, params=params, signature="")
    assert not verifies(tokens=[], url=url, params=params, signature=signature)
    # A previous token still in its grace period is tried after the current one.
    assert verifies(tokens=[other, token], url=url, params=params, signature=signature)
    # The other algorithm's signature of the same form is not accepted in its place.
    swapped = _sign(
        token, url, params, "HMAC_SHA1" if algorithm == "HMAC_SHA256" else "HMAC_SHA256"
    )
    assert not verifies(tokens=[token], url=url, params=params, signature=swapped)


@FUZZ
@given(token=tokens, body=st.text(max_size=200), extra=st.text(min_size=1, max_size=5), path=paths)
def test_json_body_variant_signs_the_body_through_its_hash(
    token: str, body: str, extra: str, path: str
) -> None:
    digest = hashlib.sha256(body.encode()).hexdigest()
    url = f"{BASE}{path}?bodySHA256={digest}"
    signature = RequestValidator(token).compute_signature(url, {})
    assert verify_signature(tokens=[token], url=url, params=body, signature=signature)
    assert not verify_signature(tokens=[token], url=url, params=body + extra, signature=signature)
    other = f"{BASE}{path}?bodySHA256={hashlib.sha256((body + extra).encode()).hexdigest()}"
    assert not verify_signature(tokens=[token], url=other, params=body + extra, signature=signature)


@pytest.mark.parametrize("raw", ["", "   ", "+", "00", "+0", "+1", "x" * 41, quote("+1 415")])
def test_edge_inputs_are_invalid_numbers(raw: str) -> None:
    with pytest.raises(InvalidPhoneNumber):
        normalize_e164(raw)


URL_NOISE = st.text(alphabet="bodySHA256=&#?%x1;" + string.ascii_letters, max_size=30)


@FUZZ
@given(token=tokens, path=paths, query=URL_NOISE, body=st.text(alphabet=hard, max_size=60))
@example(token="0" * 32, path="/webhooks/twilio/voice", query="bodySHA256=", body="{}")
@example(token="0" * 32, path="/webhooks/twilio/voice", query="a=bodySHA256=1", body="{}")
@example(token="0" * 32, path="/webhooks/twilio/voice", query="x#&bodySHA256=1", body="{}")
def test_the_json_variant_is_decided_as_the_sdk_decides_it(
    token: str, path: str, query: str, body: str
) -> None:
    url = _url(path, query)
    assert signs_body_hash(url) == ("bodySHA256" in parse_qs(urlparse(url).query))
    # Whatever the query, a body string is checked as a body or not at all: never a crash.
    signature = RequestValidator(token).compute_signature(url, {})
    verified = verify_signature(tokens=[token], url=url, params=body, signature=signature)
    if not signs_body_hash(url):
        assert not verified


@FUZZ
@given(pairs=forms)
def test_without_nul_replaces_each_nul_and_keeps_everything_else(
    pairs: list[tuple[str, str]],
) -> None:
    params = FormParams(pairs)
    clean = without_nul(params)
    assert sorted(clean.pairs()) == sorted(
        (k.replace("\x00", "\ufffd"), v.replace("\x00", "\ufffd")) for k, v in params.pairs()
    )
    assert not any("\x00" in k or "\x00" in v for k, v in clean.pairs())
