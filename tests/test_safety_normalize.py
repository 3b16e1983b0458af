"""Evasions undone before the lexicon reads a message (issue 19), and ordinary text left as it was."""

import pytest

from warmline.safety import screen
from warmline.safety.normalize import normalize


@pytest.mark.parametrize(
    "text,risk",
    [
        ("I want to k1ll mys3lf tonight", "imminent"),
        ("I want to k\u0456ll myself", "elevated"),  # Cyrillic i
        ("I want to \u03baill myself", "elevated"),  # Greek kappa
        ("I want to kil\u00adl my\u200bself", "elevated"),  # soft hyphen, zero-width space
        ("I want to ki\u200dll myself to\ufeffnight", "imminent"),
        ("wo xiang zisha", "elevated"),
        ("我想zisha今晚", "imminent"),
        (
            "\uff29 \uff57\uff41\uff4e\uff54 \uff54\uff4f \uff4b\uff49\uff4c\uff4c \uff4d\uff59\uff53\uff45\uff4c\uff46 "
            "\uff54\uff4f\uff4e\uff49\uff47\uff48\uff54",
            "imminent",
        ),  # full-width
        ("我今晚就要自殺", "imminent"),
        ("我真的不想活了，今晚就燒炭", "imminent"),
        ("$uicide is on my mind every day, I want to d1e", "elevated"),
        # issue 19, item 4: ideographic spaces, letters spelled out, half-pinyin words, 今天晚上
        (
            "\uff49\u3000\uff57\uff41\uff4e\uff54\u3000\uff54\uff4f\u3000\uff44\uff49\uff45\u3000\uff54\uff4f\uff4e\uff49\uff47\uff48\uff54",
            "imminent",
        ),
        ("I want to k-i-l-l myself tonight", "imminent"),
        ("I want to k i l l myself", "elevated"),
        ("thinking about s.u.i.c.i.d.e", "elevated"),
        ("我想自sha今晚", "imminent"),
        ("我想zi杀", "elevated"),
        ("我想死，今天晚上就去", "imminent"),
        ("我想輕生，今晚", "imminent"),
    ],
)
def test_evasions_are_read(text, risk):
    assert screen(text).risk == risk


@pytest.mark.parametrize(
    "text",
    [
        "I have 2 kids, work 24/7 and take vitamin B12. Wow! My mp3 player broke.",
        "我今天很开心，吃了3个苹果！你呢？",
        "Привет, как дела? Ελληνικά γράμματα.",
        "She bought a Yixing zisha teapot.",
        "My email is anna.lee@example.com and it costs $5.",
        "Ｈｅｌｌｏ，世界！",  # full-width letters become ASCII, full-width punctuation stays
        "We flew to the U.S.A. in the a.m., e.g. at 6.",
        "今天晚上吃火锅，明天去跑步。",
    ],
)
def test_ordinary_text_keeps_its_meaning(text):
    out = normalize(text)
    assert screen(out).risk == "none"
    # only letters change form: the same number of words, Chinese and other scripts untouched
    assert len(out.split()) == len(text.split())
    assert [c for c in out if "\u4e00" <= c <= "\u9fff"] == [c for c in text if "\u4e00" <= c <= "\u9fff"]
    assert [c for c in out if "\u0400" <= c <= "\u04ff"] == [c for c in text if "\u0400" <= c <= "\u04ff"]


def test_exact_forms():
    assert normalize("k1ll mys3lf") == "kill myself"
    assert normalize("Ｈｅｌｌｏ，世界！") == "Hello，世界！"
    assert normalize("自殺") == "自杀"
    assert normalize("wo xiang zisha jin wan") == "我想 自杀 今晚"
    assert normalize("jin wan wo xiang chi mian") == "jin wan wo xiang chi mian"  # pinyin only beside a risk word
    assert normalize("a\u00adb\u200bc") == "abc"
    assert normalize("k-i-l-l my\u3000self") == "kill my self"
    assert normalize("我想自sha") == "我想自杀"


# review of issue 19: styled letters, accents and invisible characters a filter misses (each was none before)
@pytest.mark.parametrize(
    "text",
    [
        "I want to \U0001d4f4\U0001d4f2\U0001d4f5\U0001d4f5 \U0001d4f6\U0001d502\U0001d4fc\U0001d4ee\U0001d4f5\U0001d4ef",
        "I want to \u24da\u24d8\u24db\u24db \u24dc\u24e8\u24e2\u24d4\u24db\u24d5",  # circled
        "I want to k\u00edll myself",  # precomposed accent
        "I want to ki\u0301ll myself",  # combining accent
        "I want to ki\u202ell myself",  # bidi override
        "I want to ki\ufe0fll myself",  # variation selector
        "I want to ki\u034fll myself",  # combining grapheme joiner
        "我想自\ufe0f杀",
        "我想自\u2066杀",
        "我想自\U000e0041杀",  # a tag character
    ],
)
def test_styled_accented_and_hidden_letters_are_read(text):
    assert screen(text).risk == "elevated", repr(text)


def test_ordinary_accents_and_letters_without_a_plain_form_stay_readable():
    assert normalize("café naïve Ærø straße") == "cafe naive Ærø straße"
