"""What a counselor's reply looks like: the template advice list that synthesis checks and evaluation reports both
judge, and a chain-of-thought reply's parts (training data, explanations, evaluation)."""

from __future__ import annotations

import re

# a numbered or bulleted item: "1.", "2、", "（3）", "一、", "- ", "• " at a line's start or after a clause
_NUMBERED = re.compile(
    r"(?:^|\n|[：:。；;]\s*)\s*(?:\d{1,2}[.、)）]|[一二三四五六七八九十][、.]|[（(]\d{1,2}[)）]|[-•*]\s)"
)


def is_advice_dump(text: str) -> bool:
    """A reply that lists suggestions (two or more numbered or bulleted items): the template answer
    these papers set out to replace with listening."""
    return len(_NUMBERED.findall(text)) >= 2


_COT = re.compile(
    r"(?:<observation>(.*?)</observation>\s*)?<reasoning>(.*?)</reasoning>\s*<reply>(.*?)(?:</reply>|$)", re.S
)


def split_cot(text: str) -> tuple[str, str, str]:
    """(observation, reasoning, reply) from a chain-of-thought output; the reply alone goes to the
    person. Text without the tags is all reply."""
    m = _COT.search(text)
    if not m:
        return "", "", text.strip()
    return (m.group(1) or "").strip(), m.group(2).strip(), m.group(3).strip()
