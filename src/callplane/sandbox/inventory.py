"""Numbers Twilio would offer: countries, number types, blocks of real-looking numbers, prices.

Inventory is a pure function of the catalogue below: every block is a national prefix and a
count of subscriber digits; the candidates of a block come out in a fixed pseudo-random order
(an affine permutation of the subscriber range), interleaved across the blocks of a country and
type. A number is available when it lies in some block and no account owns it, so buying removes
it from availability and releasing puts it back without any bookkeeping.

Regulation (see docs/sandbox.md): GB, DE and PL numbers of every type need a twilio-approved
bundle (21649) because Twilio's regulatory guidelines ask for identity documents there; AU asks
only for a name and an address with no documentation, so AU numbers need an Address (21631) but
no bundle. US and CA need neither. A bundle, when required, carries the end user's address, so
it also satisfies the number's address requirement.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import phonenumbers

from callplane.sandbox.errors import invalid_param

NUMBER_TYPES = ("local", "mobile", "toll_free")
TYPE_PATHS = {"Local": "local", "Mobile": "mobile", "TollFree": "toll_free"}
PATH_OF_TYPE = {v: k for k, v in TYPE_PATHS.items()}
PRICING_LABEL = {"local": "local", "mobile": "mobile", "toll_free": "toll free"}
MAGIC_UNAVAILABLE = "+15005550000"  # Twilio's test number that is never available (21422)
MAGIC_INVALID = "+15005550001"  # Twilio's test number that is invalid (21421)
MAGIC_VALID = "+15005550006"  # Twilio's test number that can always be bought
MAGIC_AREA_CODE_EMPTY = "533"  # Twilio's test area code with no numbers (21452)
MAGIC_AREA_CODE_VALID = "500"  # Twilio's test area code that yields +15005550006

_MULTIPLIER = 7_919  # odd and not a multiple of 5: a permutation of any 10**n range
_OFFSET = 4_271
_MAX_SCAN = 150_000  # candidates examined per search before giving up (keeps searches bounded)

KEYPAD = {
    **dict.fromkeys("abc", "2"),
    **dict.fromkeys("def", "3"),
    **dict.fromkeys("ghi", "4"),
    **dict.fromkeys("jkl", "5"),
    **dict.fromkeys("mno", "6"),
    **dict.fromkeys("pqrs", "7"),
    **dict.fromkeys("tuv", "8"),
    **dict.fromkeys("wxyz", "9"),
}


@dataclass(frozen=True)
class Block:
    """A run of numbers sharing a national prefix and a place."""

    country: str
    number_type: str
    cc: str
    prefix: str
    digits: int
    locality: str | None = None
    region: str | None = None
    postal_code: str | None = None
    rate_center: str | None = None
    lata: str | None = None
    latitude: str | None = None
    longitude: str | None = None
    voice: bool = True
    sms: bool = True
    mms: bool = True

    @property
    def size(self) -> int:
        """How many numbers the block holds."""
        return int(10**self.digits)

    def number(self, index: int) -> str:
        """The index-th number of the block in its fixed shuffled order (E.164)."""
        subscriber = (index * _MULTIPLIER + _OFFSET) % self.size
        return f"+{self.cc}{self.prefix}{subscriber:0{self.digits}d}"


@dataclass(frozen=True)
class TypeInfo:
    """What Twilio asks of a buyer of one number type in one country, and its price."""

    address_requirements: str
    regulated: bool
    monthly_price: str


@dataclass
class Country:
    """A country with inventory."""

    iso: str
    name: str
    cc: str
    types: dict[str, TypeInfo]
    blocks: dict[str, list[Block]] = field(default_factory=dict)
    price_unit: str = "USD"


def _blocks(
    country: str,
    number_type: str,
    cc: str,
    rows: list[tuple[Any, ...]],
    *,
    digits: int,
    voice: bool = True,
    sms: bool = True,
    mms: bool = True,
) -> list[Block]:
    """Blocks from rows of (prefixes, locality, region, postal, rate center, lata, lat, long)."""
    out = []
    for row in rows:
        prefixes, *place = row
        place += [None] * (7 - len(place))
        locality, region, postal, rate_center, lata, lat, lon = place
        for prefix in prefixes:
            out.append(
                Block(
                    country=country,
                    number_type=number_type,
                    cc=cc,
                    prefix=prefix,
                    digits=digits,
                    locality=locality,
                    region=region,
                    postal_code=postal,
                    rate_center=rate_center,
                    lata=lata,
                    latitude=lat,
                    longitude=lon,
                    voice=voice,
                    sms=sms,
                    mms=mms,
                )
            )
    return out


def _build_catalogue() -> dict[str, Country]:
    countries: dict[str, Country] = {}

    us = Country(
        "US",
        "United States",
        "1",
        {
            "local": TypeInfo("none", False, "1.15"),
            "toll_free": TypeInfo("none", False, "2.15"),
        },
    )
    us_local = [
        (
            ("415523", "415592", "415639"),
            "San Francisco",
            "CA",
            "94103",
            "SNFC CNTRL",
            "722",
            "37.774900",
            "-122.419400",
        ),
        (
            ("212380", "212417", "212651"),
            "New York",
            "NY",
            "10007",
            "NWYRCYZN01",
            "132",
            "40.712800",
            "-74.006000",
        ),
        (
            ("312248", "312471", "312585"),
            "Chicago",
            "IL",
            "60601",
            "CHICAGO",
            "358",
            "41.878100",
            "-87.629800",
        ),
        (
            ("512271", "512580", "512643"),
            "Austin",
            "TX",
            "78701",
            "AUSTIN",
            "558",
            "30.267200",
            "-97.743100",
        ),
        (
            ("206319", "206452", "206577"),
            "Seattle",
            "WA",
            "98101",
            "SEATTLE",
            "674",
            "47.606200",
            "-122.332100",
        ),
        (
            ("305364", "305507", "305614"),
            "Miami",
            "FL",
            "33130",
            "MIAMI",
            "460",
            "25.761700",
            "-80.191800",
        ),
        (
            ("617249", "617356", "617684"),
            "Boston",
            "MA",
            "02108",
            "BOSTON",
            "128",
            "42.360100",
            "-71.058900",
        ),
        (
            ("303218", "303357", "303690"),
            "Denver",
            "CO",
            "80202",
            "DENVER",
            "656",
            "39.739200",
            "-104.990300",
        ),
        (
            ("404267", "404334", "404592"),
            "Atlanta",
            "GA",
            "30303",
            "ATLANTA",
            "438",
            "33.749000",
            "-84.388000",
        ),
    ]
    us.blocks["local"] = _blocks("US", "local", "1", us_local, digits=4) + _blocks(
        "US",
        "local",
        "1",
        [
            (
                ("808925", "808933", "808961"),
                "Hilo",
                "HI",
                "96720",
                "HILO",
                "834",
                "19.720000",
                "-155.090000",
            )
        ],
        digits=4,
        sms=False,  # as in Twilio's own example: some landline blocks take no SMS
    )
    us.blocks["toll_free"] = _blocks(
        "US", "toll_free", "1", [(("8002", "8332", "8443", "8554"),)], digits=6
    )
    countries["US"] = us

    ca = Country(
        "CA",
        "Canada",
        "1",
        {
            "local": TypeInfo("none", False, "1.15"),
            "toll_free": TypeInfo("none", False, "2.15"),
        },
    )
    ca.blocks["local"] = _blocks(
        "CA",
        "local",
        "1",
        [
            (
                ("416360", "416479", "416583"),
                "Toronto",
                "ON",
                "M5H",
                "TORONTO",
                None,
                "43.653200",
                "-79.383200",
            ),
            (
                ("604336", "604558", "604719"),
                "Vancouver",
                "BC",
                "V6B",
                "VANCOUVER",
                None,
                "49.282700",
                "-123.120700",
            ),
            (
                ("514312", "514447", "514612"),
                "Montreal",
                "QC",
                "H2Y",
                "MONTREAL",
                None,
                "45.501700",
                "-73.567300",
            ),
            (
                ("403264", "403355", "403532"),
                "Calgary",
                "AB",
                "T2P",
                "CALGARY",
                None,
                "51.044700",
                "-114.071900",
            ),
            (
                ("613230", "613566", "613693"),
                "Ottawa",
                "ON",
                "K1P",
                "OTTAWA-HULL",
                None,
                "45.421500",
                "-75.697200",
            ),
        ],
        digits=4,
    )
    ca.blocks["toll_free"] = _blocks(
        "CA", "toll_free", "1", [(("8662", "8773", "8884"),)], digits=6
    )
    countries["CA"] = ca

    gb = Country(
        "GB",
        "United Kingdom",
        "44",
        {
            "local": TypeInfo("any", True, "1.15"),
            "mobile": TypeInfo("any", True, "1.15"),
            "toll_free": TypeInfo("any", True, "2.15"),
        },
    )
    gb.blocks["local"] = _blocks(
        "GB",
        "local",
        "44",
        [
            (("2037", "2080"), "London", "London", "EC1A", None, None, "51.507400", "-0.127800"),
            (
                ("1614",),
                "Manchester",
                "Greater Manchester",
                "M1",
                None,
                None,
                "53.480800",
                "-2.242600",
            ),
            (("1214",), "Birmingham", "West Midlands", "B1", None, None, "52.486200", "-1.890400"),
            (("1414",), "Glasgow", "Scotland", "G1", None, None, "55.864200", "-4.251800"),
            (("1314",), "Edinburgh", "Scotland", "EH1", None, None, "55.953300", "-3.188300"),
        ],
        digits=6,
        sms=False,
        mms=False,
    )
    gb.blocks["mobile"] = _blocks(
        "GB", "mobile", "44", [(("7480", "7520", "7860"),)], digits=6, mms=False
    )
    gb.blocks["toll_free"] = _blocks(
        "GB", "toll_free", "44", [(("8081", "8004"),)], digits=6, sms=False, mms=False
    )
    countries["GB"] = gb

    de = Country(
        "DE",
        "Germany",
        "49",
        {
            "local": TypeInfo("local", True, "1.15"),
            "mobile": TypeInfo("any", True, "4.25"),
            "toll_free": TypeInfo("any", True, "20.00"),
        },
    )
    de.blocks["local"] = _blocks(
        "DE",
        "local",
        "49",
        [
            (("3025",), "Berlin", "Berlin", "10117", None, None, "52.520000", "13.405000"),
            (("8921",), "Munich", "Bavaria", "80331", None, None, "48.135100", "11.582000"),
            (("4022",), "Hamburg", "Hamburg", "20095", None, None, "53.551100", "9.993700"),
            (("6925",), "Frankfurt", "Hesse", "60311", None, None, "50.110900", "8.682100"),
            (
                ("2212",),
                "Cologne",
                "North Rhine-Westphalia",
                "50667",
                None,
                None,
                "50.937500",
                "6.960300",
            ),
        ],
        digits=6,
        sms=False,
        mms=False,
    )
    de.blocks["mobile"] = _blocks(
        "DE", "mobile", "49", [(("1512", "1523", "1704"),)], digits=7, mms=False
    )
    de.blocks["toll_free"] = _blocks(
        "DE", "toll_free", "49", [(("8007",),)], digits=6, sms=False, mms=False
    )
    countries["DE"] = de

    pl = Country(
        "PL",
        "Poland",
        "48",
        {
            "local": TypeInfo("any", True, "3.00"),
            "mobile": TypeInfo("any", True, "6.00"),
            "toll_free": TypeInfo("any", True, "25.00"),
        },
    )
    pl.blocks["local"] = _blocks(
        "PL",
        "local",
        "48",
        [
            (
                ("2250", "2262"),
                "Warsaw",
                "Masovian",
                "00-001",
                None,
                None,
                "52.229700",
                "21.012200",
            ),
            (("1244",), "Krakow", "Lesser Poland", "30-001", None, None, "50.064700", "19.945000"),
            (("5830",), "Gdansk", "Pomeranian", "80-001", None, None, "54.352000", "18.646600"),
            (
                ("7130",),
                "Wroclaw",
                "Lower Silesian",
                "50-001",
                None,
                None,
                "51.107900",
                "17.038500",
            ),
            (("6130",), "Poznan", "Greater Poland", "60-001", None, None, "52.406400", "16.925200"),
        ],
        digits=5,
        sms=False,
        mms=False,
    )
    pl.blocks["mobile"] = _blocks(
        "PL", "mobile", "48", [(("5012", "6012", "7821"),)], digits=5, mms=False
    )
    pl.blocks["toll_free"] = _blocks(
        "PL", "toll_free", "48", [(("8001", "8002"),)], digits=5, sms=False, mms=False
    )
    countries["PL"] = pl

    au = Country(
        "AU",
        "Australia",
        "61",
        {
            "local": TypeInfo("local", False, "3.00"),
            "mobile": TypeInfo("any", False, "6.50"),
            "toll_free": TypeInfo("any", False, "16.00"),
        },
    )
    au.blocks["local"] = _blocks(
        "AU",
        "local",
        "61",
        [
            (("2803", "2904"), "Sydney", "NSW", "2000", None, None, "-33.868800", "151.209300"),
            (("3960",), "Melbourne", "VIC", "3000", None, None, "-37.813600", "144.963100"),
            (("7310",), "Brisbane", "QLD", "4000", None, None, "-27.469800", "153.025100"),
            (("8920",), "Perth", "WA", "6000", None, None, "-31.950500", "115.860500"),
            (("8820",), "Adelaide", "SA", "5000", None, None, "-34.928500", "138.600700"),
        ],
        digits=5,
        sms=False,
        mms=False,
    )
    au.blocks["mobile"] = _blocks("AU", "mobile", "61", [(("4123", "4501"),)], digits=5)
    au.blocks["toll_free"] = _blocks(
        "AU", "toll_free", "61", [(("1800",),)], digits=6, sms=False, mms=False
    )
    countries["AU"] = au
    return countries


CATALOGUE: dict[str, Country] = _build_catalogue()

# Every block by its full digit prefix (country code + national prefix), for reverse lookup.
_BY_PREFIX: dict[str, Block] = {}
for _country in CATALOGUE.values():
    for _blocks_of_type in _country.blocks.values():
        for _block in _blocks_of_type:
            _BY_PREFIX[_block.cc + _block.prefix] = _block
_PREFIX_LENGTHS = sorted({len(p) for p in _BY_PREFIX}, reverse=True)


def block_of(e164: str) -> Block | None:
    """The inventory block a number belongs to (None when Twilio never offers it)."""
    if not e164.startswith("+"):
        return None
    digits = e164[1:]
    for length in _PREFIX_LENGTHS:
        block = _BY_PREFIX.get(digits[:length])
        if block is not None and len(digits) == length + block.digits:
            return block
    return None


def type_info(block: Block) -> TypeInfo:
    """The requirements and price of a block's country and type."""
    return CATALOGUE[block.country].types[block.number_type]


def friendly_name(e164: str) -> str:
    """What Twilio shows as a number's friendly name: national format in NANP, else E.164."""
    if e164.startswith("+1") and len(e164) == 12 and e164[1:].isdigit():
        # NANP national format, without a phonenumbers round trip (seeding makes 50,000 of these).
        return f"({e164[2:5]}) {e164[5:8]}-{e164[8:]}"
    if e164.startswith("+1"):
        try:
            parsed = phonenumbers.parse(e164, None)
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
        except phonenumbers.NumberParseException:
            return e164
    return e164


def normalize(raw: str | None) -> str | None:
    """E.164 for anything `phonenumbers` can read as a possible number, else None."""
    if not raw:
        return None
    text = raw.strip()
    if not text.startswith("+"):
        text = "+" + text.lstrip("0") if text.isdigit() and len(text) > 10 else text
    try:
        parsed = phonenumbers.parse(text, None if text.startswith("+") else "US")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def is_valid_number(e164: str) -> bool:
    """Whether `phonenumbers` considers an E.164 string a valid number."""
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(e164, None))
    except phonenumbers.NumberParseException:
        return False


def contains_regex(pattern: str | None) -> re.Pattern[str] | None:
    """Twilio's Contains: digits, letters (keypad digits) and `*` (any one digit)."""
    if pattern is None or pattern == "":
        return None
    text = pattern.strip()
    anchored = text.startswith("+")
    if anchored:
        text = text[1:]
    if len(text) < 2 or not re.fullmatch(r"[0-9A-Za-z*]+", text):
        raise invalid_param("Contains", "use at least 2 of 0-9, A-Z and *")
    parts = []
    for ch in text.lower():
        if ch == "*":
            parts.append(r"\d")
        elif ch.isdigit():
            parts.append(ch)
        else:
            parts.append(KEYPAD[ch])
    body = "".join(parts)
    return re.compile(("^" if anchored else "") + body)


def _distance_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    rlat1, rlat2 = math.radians(lat1), math.radians(lat2)
    dlat = rlat2 - rlat1
    dlon = math.radians(lon2 - lon1)
    a = math.sin(dlat / 2) ** 2 + math.cos(rlat1) * math.cos(rlat2) * math.sin(dlon / 2) ** 2
    return 3958.8 * 2 * math.asin(math.sqrt(min(1.0, a)))


@dataclass
class Search:
    """The AvailablePhoneNumbers filters Twilio documents."""

    area_code: str | None = None
    contains: re.Pattern[str] | None = None
    sms: bool | None = None
    mms: bool | None = None
    voice: bool | None = None
    fax: bool | None = None
    exclude_all_address: bool = False
    exclude_local_address: bool = False
    exclude_foreign_address: bool = False
    beta: bool | None = None
    near: tuple[float, float] | None = None
    distance: int = 25
    in_postal_code: str | None = None
    in_region: str | None = None
    in_rate_center: str | None = None
    in_lata: str | None = None
    in_locality: str | None = None

    def block_matches(self, block: Block, info: TypeInfo) -> bool:
        """Filters that depend on the block only (cheap: checked once per block)."""
        if self.area_code and not (block.cc == "1" and block.prefix.startswith(self.area_code)):
            return False
        for wanted, have in (
            (self.sms, block.sms),
            (self.mms, block.mms),
            (self.voice, block.voice),
        ):
            if wanted is True and not have:
                return False
        if self.fax is True:
            return False  # no fax-capable inventory, as on today's Twilio
        req = info.address_requirements
        if self.exclude_all_address and req == "any":
            return False
        if self.exclude_local_address and req == "local":
            return False
        if self.exclude_foreign_address and req == "foreign":
            return False
        for wanted_text, have_text in (
            (self.in_postal_code, block.postal_code),
            (self.in_region, block.region),
            (self.in_rate_center, block.rate_center),
            (self.in_lata, block.lata),
            (self.in_locality, block.locality),
        ):
            if wanted_text and (have_text or "").lower() != wanted_text.strip().lower():
                return False
        if self.near is not None:
            if block.latitude is None or block.longitude is None:
                return False
            miles = _distance_miles(
                self.near[0], self.near[1], float(block.latitude), float(block.longitude)
            )
            if miles > self.distance:
                return False
        return True


def search(
    country: Country,
    number_type: str,
    criteria: Search,
    owned: Mapping[str, object],
    limit: int,
) -> list[tuple[str, Block]]:
    """Up to `limit` available numbers of one country and type that match the criteria."""
    info = country.types[number_type]
    blocks = [b for b in country.blocks.get(number_type, []) if criteria.block_matches(b, info)]
    found: list[tuple[str, Block]] = []
    if not blocks or limit <= 0:
        return found
    for number, block in _candidates(blocks):
        if number in owned:
            continue
        if criteria.contains is not None and not criteria.contains.search(number[1:]):
            continue
        found.append((number, block))
        if len(found) >= limit:
            break
    return found


def _candidates(blocks: list[Block]) -> Iterator[tuple[str, Block]]:
    """Numbers of the blocks interleaved in a fixed order, at most _MAX_SCAN of them."""
    largest = max(b.size for b in blocks)
    scanned = 0
    for index in range(largest):
        for block in blocks:
            if index < block.size:
                yield block.number(index), block
                scanned += 1
                if scanned >= _MAX_SCAN:
                    return


def iter_available(
    country: Country, number_type: str, owned: Mapping[str, object]
) -> Iterator[tuple[str, Block]]:
    """Every available number of a country and type, without a scan limit (for seeding)."""
    blocks = country.blocks.get(number_type, [])
    if not blocks:
        return
    largest = max(b.size for b in blocks)
    for index in range(largest):
        for block in blocks:
            if index < block.size:
                number = block.number(index)
                if number not in owned:
                    yield number, block


def first_in_area_code(area_code: str, owned: Mapping[str, object]) -> tuple[str, Block] | None:
    """The first available US/CA local number in an area code (purchase by AreaCode)."""
    criteria = Search(area_code=area_code)
    for iso in ("US", "CA"):
        hits = search(CATALOGUE[iso], "local", criteria, owned, 1)
        if hits:
            return hits[0]
    return None
