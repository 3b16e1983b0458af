"""Personal details in free text become placeholders: URLs, e-mail addresses, Chinese ID numbers, payment card
numbers (those that pass the Luhn check), US social security numbers, QQ and WeChat ids, phone numbers (Chinese,
North American, UK and international formats) and street addresses; names a dialogue introduces ("我叫…", "my name
is …") become consistent aliases within it. The synthesis runner's scrub and the server's conversation store both use
it. Every pattern is bounded, so the cost stays linear in the text."""

from __future__ import annotations

import re
from collections import Counter

from .conversation import Turn


def luhn(digits: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _card(m: re.Match) -> bool:
    return luhn(re.sub(r"\D", "", m.group(0)))


_STREET = (
    r"street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|pl|terrace|close|"
    r"crescent|square|sq|highway|hwy|parkway|pkwy|circle|cir"
)
# (kind, pattern, placeholders, a check a match must pass or None)
PATTERNS = [
    ("url", re.compile(r"https?://\S+|www\.\S+"), {"zh": "[网址]", "en": "[URL]"}, None),
    ("email", re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"), {"zh": "[邮箱]", "en": "[EMAIL]"}, None),
    ("id_number", re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)"), {"zh": "[身份证号]", "en": "[ID]"}, None),
    ("card", re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])"), {"zh": "[卡号]", "en": "[CARD]"}, _card),
    (
        "ssn",
        re.compile(r"(?<![\d-])(?!000|666|9\d\d)\d{3}(?P<sep>[- ])(?!00)\d{2}(?P=sep)(?!0000)\d{4}(?![\d-])"),
        {"zh": "[证件号]", "en": "[SSN]"},
        None,
    ),
    ("qq", re.compile(r"(?i:QQ)\s*(?:号)?\s*[:：]?\s*\d{5,11}"), {"zh": "QQ[号码]", "en": "QQ [ID]"}, None),
    (
        "wechat",
        re.compile(r"(?i:微信|vx|wechat)\s*(?:号)?\s*[:：]?\s*[A-Za-z][-_A-Za-z0-9]{5,19}"),
        {"zh": "微信[号码]", "en": "WeChat [ID]"},
        None,
    ),
    (
        "phone",
        re.compile(
            r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d{9}(?!\d)"  # Chinese mobile
            r"|(?<![\w+])\+\d(?:[ .-]?\(?\d\)?){7,14}(?!\d)"  # international: +44 7700 900123
            r"|(?<!\d)(?:\+?1[-. ]?)?\(?\d{3}\)?[-. ]\d{3}[-. ]\d{4}(?!\d)"  # North American: (415) 555-0132
            r"|(?<!\d)0\d{2,4}[ -]?\d{3,4}[ -]?\d{3,4}(?!\d)"  # UK and other national: 07700 900123, 020 7946 0958
            r"|(?<!\d)0\d{2,3}-\d{7,8}(?!\d)"  # Chinese landline
            r"|(?<!\d)(?<!\d\.)\d{10}(?!\d|\.\d)"
        ),  # ten digits written together: 4155550132
        {"zh": "[电话]", "en": "[PHONE]"},
        None,
    ),
    (
        "address",
        re.compile(
            rf"(?<!\w)\d{{1,6}}[A-Za-z]?\s+(?:[A-Z][\w'.-]*\s+){{1,4}}(?i:{_STREET})\b\.?"
            r"(?:,?\s*(?i:apt|apartment|suite|unit|flat|#)\.?\s*\w{1,6})?"
        ),
        {"zh": "[地址]", "en": "[ADDRESS]"},
        None,
    ),
]
ANY = re.compile("|".join(f"(?:{rx.pattern})" for _, rx, _, _ in PATTERNS))


def redact(text: str, lang: str, counts: Counter | None = None) -> str:
    """Contact details and ids in one text become placeholders; replacements are added to `counts`."""
    lang = "zh" if lang == "zh" else "en"
    for kind, rx, repl, check in PATTERNS:
        n = 0

        def sub(m: re.Match, repl=repl[lang], check=check) -> str:
            nonlocal n
            if check is not None and not check(m):
                return m.group(0)
            n += 1
            return repl

        text = rx.sub(sub, text)
        if counts is not None and n:
            counts[kind] += n
    return text


NAME_INTRO = {
    "zh": re.compile(
        r"(?:我叫|我的名字是|我名字叫)(?![你我他她它这那不也都很是什])([\u4e00-\u9fff]{2,3}?)(?=[，。！？,.!?\s]|$)"
    ),
    "en": re.compile(r"\b(?:[Mm]y name is|[Cc]all me|I'm called)\s+([A-Z][a-z]+)"),
}
ALIASES = {"zh": ["小林", "小周", "小陈", "小吴"], "en": ["Alex", "Sam", "Jordan", "Casey"]}


def scrub(turns: list[Turn], lang: str) -> Counter:
    """Scrub a dialogue's turns in place; returns what was replaced, by kind."""
    counts: Counter = Counter()
    names: dict[str, str] = {}
    whole = "\n".join(t.text for t in turns)
    if not ANY.search(whole) and not NAME_INTRO[lang].search(whole):
        return counts  # the common case: nothing personal, one search instead of one per pattern and turn
    for t in turns:
        for m in NAME_INTRO[lang].finditer(t.text):
            name = m.group(1)
            if name not in names and len(names) < len(ALIASES[lang]):
                names[name] = ALIASES[lang][len(names)]
    for t in turns:
        text = redact(t.text, lang, counts)
        for name, alias in names.items():
            n = text.count(name)
            if n:
                text = text.replace(name, alias)
                counts["name"] += n
        t.text = text
    return +counts
