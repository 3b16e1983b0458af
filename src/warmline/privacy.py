"""Privacy scrub of dialogues (generated ones, stored conversations): phone numbers, e-mail addresses, ID numbers, URLs, QQ and
WeChat ids become placeholders; names introduced in the dialogue ("我叫…", "my name is …") become
consistent aliases within the dialogue."""

from __future__ import annotations

import re
from collections import Counter

from .conversation import Turn

PATTERNS = [
    ("url", re.compile(r"https?://\S+|www\.\S+"), {"zh": "[网址]", "en": "[URL]"}),
    ("email", re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"), {"zh": "[邮箱]", "en": "[EMAIL]"}),
    ("id_number", re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)"), {"zh": "[身份证号]", "en": "[ID]"}),
    ("qq", re.compile(r"(?i:QQ)\s*(?:号)?\s*[:：]?\s*\d{5,11}"), {"zh": "QQ[号码]", "en": "QQ [ID]"}),
    ("wechat", re.compile(r"(?i:微信|vx|wechat)\s*(?:号)?\s*[:：]?\s*[A-Za-z][-_A-Za-z0-9]{5,19}"),
     {"zh": "微信[号码]", "en": "WeChat [ID]"}),
    ("phone", re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d{9}(?!\d)|(?<!\d)(?:\+?1[-. ]?)?\(?\d{3}\)?[-. ]\d{3}[-. ]\d{4}(?!\d)|"
                         r"(?<!\d)0\d{2,3}-\d{7,8}(?!\d)"), {"zh": "[电话]", "en": "[PHONE]"}),
]
_ANY = re.compile("|".join(f"(?:{rx.pattern})" for _, rx, _ in PATTERNS))
NAME_INTRO = {
    "zh": re.compile(r"(?:我叫|我的名字是|我名字叫)(?![你我他她它这那不也都很是什])([\u4e00-\u9fff]{2,3}?)(?=[，。！？,.!?\s]|$)"),
    "en": re.compile(r"\b(?:[Mm]y name is|[Cc]all me|I'm called)\s+([A-Z][a-z]+)"),
}
ALIASES = {"zh": ["小林", "小周", "小陈", "小吴"], "en": ["Alex", "Sam", "Jordan", "Casey"]}


def redact(text: str, lang: str, counts: Counter | None = None) -> str:
    """Contact details and ids in one text become placeholders; replacements are added to `counts`."""
    for kind, rx, repl in PATTERNS:
        text, n = rx.subn(repl[lang], text)
        if counts is not None:
            counts[kind] += n
    return text


def scrub(turns: list[Turn], lang: str) -> Counter:
    """Scrub the turns in place; returns what was replaced, by kind."""
    counts: Counter = Counter()
    names: dict[str, str] = {}
    whole = "\n".join(t.text for t in turns)
    if not _ANY.search(whole) and not NAME_INTRO[lang].search(whole):
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
