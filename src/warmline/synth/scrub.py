"""Privacy scrub of generated dialogues: the personal details of `warmline.privacy` (phone numbers, e-mail
addresses, ID and card numbers, addresses, URLs, QQ and WeChat ids) become placeholders; names introduced in the dialogue ("我叫…", "my name is …") become
consistent aliases within the dialogue."""

from __future__ import annotations

import re
from collections import Counter

from ..conversation import Turn
from ..privacy import ANY, PATTERNS, redact  # noqa: F401  (re-exported: the corpus scrub's patterns)

_ANY = ANY  # one search for any personal detail: most dialogues have none
NAME_INTRO = {
    "zh": re.compile(r"(?:我叫|我的名字是|我名字叫)(?![你我他她它这那不也都很是什])([\u4e00-\u9fff]{2,3}?)(?=[，。！？,.!?\s]|$)"),
    "en": re.compile(r"\b(?:[Mm]y name is|[Cc]all me|I'm called)\s+([A-Z][a-z]+)"),
}
ALIASES = {"zh": ["小林", "小周", "小陈", "小吴"], "en": ["Alex", "Sam", "Jordan", "Casey"]}


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
