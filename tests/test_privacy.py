"""Personal details to placeholders (warmline.privacy), which the store and the corpus scrub share."""

from __future__ import annotations

from collections import Counter

import pytest

from warmline.privacy import luhn, redact


@pytest.mark.parametrize(
    "text, kind",
    [
        ("my SSN is 123-45-6789.", "ssn"),
        ("card 4111 1111 1111 1111 please", "card"),
        ("card 5500-0000-0000-0004", "card"),
        ("I live at 221B Baker Street, London", "address"),
        ("we moved to 1600 Pennsylvania Avenue NW", "address"),
        ("call +44 7700 900123", "phone"),
        ("call 07700 900123", "phone"),
        ("call 4155550132.", "phone"),
        ("call (415) 555-0132", "phone"),
        ("打 13812345678 找我", "phone"),
        ("ming@example.com", "email"),
    ],
)
def test_personal_details_are_replaced(text, kind):
    counts = Counter()
    out = redact(text, "zh" if "找我" in text else "en", counts)
    assert counts[kind] == 1 and out != text


@pytest.mark.parametrize(
    "text",
    [
        "I was 20 years old in 2019 and walked 3 miles down the road.",
        "order 4111 1111 1111 1112 is not a card (Luhn)",
        "pi is 3.1415926535 and the price was 12.50",
        "my score went from 000-00-0000 to nothing",
    ],
)
def test_ordinary_numbers_and_words_are_kept(text):
    counts = Counter()
    assert redact(text, "en", counts) == text and not counts


def test_luhn():
    assert luhn("4111111111111111") and not luhn("4111111111111112") and luhn("79927398713")
