"""The inventory: every block yields numbers `phonenumbers` accepts for its country and type."""

from __future__ import annotations

import phonenumbers
import pytest
from phonenumbers import PhoneNumberType

from callplane.sandbox import inventory

EXPECTED = {
    "local": {PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE},
    "mobile": {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE},
    "toll_free": {PhoneNumberType.TOLL_FREE},
}
BLOCKS = [
    block
    for country in inventory.CATALOGUE.values()
    for blocks in country.blocks.values()
    for block in blocks
]


@pytest.mark.parametrize("block", BLOCKS, ids=lambda b: f"{b.country}-{b.number_type}-{b.prefix}")
def test_block_numbers_are_valid(block: inventory.Block) -> None:
    step = max(1, block.size // 97)
    for index in [*range(0, block.size, step), block.size - 1]:
        e164 = block.number(index)
        parsed = phonenumbers.parse(e164, None)
        assert phonenumbers.is_valid_number_for_region(parsed, block.country), e164
        assert phonenumbers.number_type(parsed) in EXPECTED[block.number_type], e164
        assert inventory.block_of(e164) is block


def test_block_order_is_a_permutation() -> None:
    block = BLOCKS[0]
    assert len({block.number(i) for i in range(block.size)}) == block.size


def test_regulation_table() -> None:
    regulated = {
        (iso, t)
        for iso, c in inventory.CATALOGUE.items()
        for t, info in c.types.items()
        if info.regulated
    }
    assert {("GB", t) for t in ("local", "mobile", "toll_free")} <= regulated
    assert {("PL", t) for t in ("local", "mobile", "toll_free")} <= regulated
    assert {("DE", t) for t in ("local", "mobile", "toll_free")} <= regulated
    assert not any(iso in ("US", "CA", "AU") for iso, _ in regulated)
    assert inventory.CATALOGUE["AU"].types["local"].address_requirements == "local"
    assert "mobile" not in inventory.CATALOGUE["US"].blocks
