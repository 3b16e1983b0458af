"""What a counselor's reply looks like, as synthesis checks and evaluation reports both judge it."""

from __future__ import annotations

import re

# a numbered or bulleted item: "1.", "2、", "（3）", "一、", "- ", "• " at a line's start or after a clause
_NUMBERED = re.compile(r"(?:^|\n|[：:。；;]\s*)\s*(?:\d{1,2}[.、)）]|[一二三四五六七八九十][、.]|[（(]\d{1,2}[)）]|[-•*]\s)")


def is_advice_dump(text: str) -> bool:
    """A reply that lists suggestions (two or more numbered or bulleted items): the template answer
    these papers set out to replace with listening."""
    return len(_NUMBERED.findall(text)) >= 2
