"""The streaming reply guard as it was before its engine was made cheaper (every rule over the whole window, `regex`
partial matching of the union of all rules at every position, normalisation one character at a time), kept
verbatim as the reference `tests/test_reply_guard_equivalence.py` compares the engine with. Slow on purpose."""

from __future__ import annotations

import re

from warmline.conversation import detect_lang
from warmline.safety.detect import Verdict
from warmline.safety.reply import context_start, normalize
from warmline.safety.reply_rules import RULES, RULES_EN, RULES_ZH
from warmline.safety.reply_words import CATEGORIES, CLAUSE_END, SENTENCE_END, SPEECH

BATCH = 48
CLAUSE_ENDS = frozenset(".!?;:,\n。！？；：，")
MARGIN = 400


def normalize_mapped(text: str) -> tuple[str, list[int]]:
    # as it was, one character at a time (`normalize` of one character is what that loop made of it)
    out: list[str] = []
    where: list[int] = []
    for i, c in enumerate(text):
        for d in normalize(c):
            out.append(d)
            where.append(i)
    return "".join(out), where


def vetoed(rule, text: str, start: int) -> bool:
    lo = max(0, start - 120)
    before = text[lo:start]
    cut = max((before.rfind(c) for c in SENTENCE_END), default=-1)
    sentence = before[cut + 1 :]
    if rule.far is not None and rule.far.search(sentence):
        return True
    if rule.quotes and SPEECH.search(text, max(0, start - 60), start):
        return True
    if rule.quotes and (
        sentence.count('"') % 2 == 1
        or sentence.count("“") > sentence.count("”")
        or sentence.count("「") > sentence.count("」")
    ):
        return True
    clause = sentence[max((sentence.rfind(c) for c in CLAUSE_END), default=-1) + 1 :]
    return rule.near is not None and bool(rule.near.search(clause))


def sentence_rest(text: str, end: int) -> str | None:
    cut = min((k for k in (text.find(c, end) for c in SENTENCE_END) if k >= 0), default=-1)
    return text[end:cut] if cut >= 0 else None


_HAN = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")


def matches(norm: str, final: bool, start: int = 0):
    rules = (RULES_EN if _LATIN.search(norm, start) else []) + (RULES_ZH if _HAN.search(norm, start) else [])
    for rule in rules:
        for m in rule.rx.finditer(norm, start):
            if vetoed(rule, norm, m.start()):
                continue
            if rule.after is None:
                yield rule, m, True
                continue
            rest = sentence_rest(norm, m.end())
            if rest is None and not final:
                yield rule, m, False
            elif not rule.after.search(rest if rest is not None else norm[m.end() :]):
                yield rule, m, True


def screen_reply(text: str, lang: str | None = None, final: bool = True) -> Verdict:
    lang = lang or detect_lang(text)
    norm = normalize(text)
    found: dict[str, list[str]] = {}
    for rule, m, settled in matches(norm, final):
        if settled:
            found.setdefault(rule.category, []).append(m.group(0))
    if not found:
        return Verdict("none", [], [], lang)
    cats = [c for c in CATEGORIES if c in found]
    return Verdict("elevated", cats, [e for c in cats for e in found[c]], lang)


_PARTIAL = None


def unsafe_tail(text: str, pos: int = 0) -> int:
    global _PARTIAL
    if _PARTIAL is None:
        import regex

        union = "|".join(f"(?:{r.rx.pattern})" for r in RULES).replace(r"\b", r"(?:\b|$)")
        _PARTIAL = regex.compile(union, regex.IGNORECASE | regex.V0)
    lo = context_start(text, pos)
    norm, where = normalize_mapped(text[lo:])
    npos = next((k for k, w in enumerate(where) if w >= pos - lo), len(norm))
    hold = len(norm)
    for m in _PARTIAL.finditer(norm, npos, partial=True, overlapped=True):
        if m.partial:
            hold = m.start()
            break
    hold = min([hold] + [m.start() for _, m, settled in matches(norm, False, npos) if not settled])
    return lo + where[hold] if hold < len(where) else len(text)


def _word_char(c: str) -> bool:
    return c.isascii() and c.isalnum()


class ReplyGuard:
    def __init__(self, lang: str):
        self.lang = lang
        self.text = ""
        self.sent = 0
        self.checked = 0
        self.unsafe = False

    def feed(self, piece: str) -> str:
        self.text += piece
        if len(self.text) - self.checked < BATCH and not any(c in CLAUSE_ENDS for c in piece):
            return ""
        start = context_start(self.text, self.checked)
        if screen_reply(self.text[start:], self.lang, final=False).flagged:
            self.unsafe = True
            return ""
        self.checked = len(self.text)
        hold = unsafe_tail(self.text, max(self.sent, len(self.text) - MARGIN))
        while self.sent < hold < len(self.text) and _word_char(self.text[hold - 1]) and _word_char(self.text[hold]):
            hold -= 1
        out = self.text[self.sent : max(self.sent, hold)]
        self.sent += len(out)
        return out

    def flush(self) -> str:
        if (
            self.sent < len(self.text)
            and screen_reply(self.text[context_start(self.text, self.sent) :], self.lang).flagged
        ):
            self.unsafe = True
            return ""
        out = self.text[self.sent :]
        self.sent = len(self.text)
        return out

    def shown(self, replacement: str) -> str:
        if not self.unsafe:
            return self.text
        return self.text[: self.sent] + ("\n\n" if self.sent else "") + replacement
