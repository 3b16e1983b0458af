"""Where in a text the reply screen's patterns could match, found without running them: each alternative of each
rule begins with one of a few strings of up to K characters (worked out once from the pattern itself), and one
scan for those strings names the positions, and the alternatives, worth trying. A position it skips is one where the
pattern cannot match, whole or (at the end of the text) in part, so no verdict and no hold changes."""

from __future__ import annotations

import re
from dataclasses import dataclass

try:
    from re import _parser as sre  # the standard library's own pattern parser (Python 3.11+)
except ImportError:  # pragma: no cover - Python before 3.11
    import sre_parse as sre

K = 4  # how many characters of each alternative's beginning are indexed
# the characters outside ASCII that case-insensitive matching (`re` or `regex`) equates with an ASCII letter:
# folded to that letter (tests/test_reply_guard_equivalence.py checks this list against every code point)
_SPECIAL = {"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"}
# every digit is read as "0" (a number's digits do not tell the rules apart, and ten of them at each place would
# make too many beginnings to list), every white space as a space
_FOLD = str.maketrans(
    {
        **{chr(c): chr(c + 32) for c in range(65, 91)},
        **_SPECIAL,
        **dict.fromkeys("123456789", "0"),
        **dict.fromkeys("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f", " "),
    }
)
# a decimal digit outside ASCII, as either engine reads \d (`regex` may know digits newer than Python's tables),
# and white space other than a space, as either reads \s
_OTHER_DIGIT = re.compile(r"(?![0-9])\d")
_OTHER_SPACE = re.compile(r"[^\S ]")
_OTHER_REGEX = None
_LIMIT = 512  # the most beginnings one step may list: past it the beginnings stop short


def fold(text: str) -> str:
    """The text as the index reads it, one character for one: ASCII letters lowercased, the four letters outside
    ASCII that match an ASCII one made that letter, every decimal digit made "0", all white space a space."""
    if text.isascii():
        return text.translate(_FOLD)
    global _OTHER_REGEX
    if _OTHER_REGEX is None:
        import regex

        _OTHER_REGEX = regex.compile(r"((?![0-9])\d)|[^\S ]", regex.V0)
    text = _OTHER_SPACE.sub(" ", _OTHER_DIGIT.sub("0", text.translate(_FOLD)))
    return _OTHER_REGEX.sub(lambda m: "0" if m.group(1) else " ", text)


def _char(code: int) -> str | None:
    """A pattern's literal as it is looked for in folded text; None when case could match it otherwise."""
    c = chr(code)
    if _OTHER_SPACE.match(c) or c.isspace():
        return " "
    if c.isdecimal() or _OTHER_DIGIT.match(c):
        return "0"  # as the text's digits are read
    if c.isascii():
        return c.lower()
    return c if c.lower() == c == c.upper() and c not in _SPECIAL else None


def _class(items) -> set[str] | None:
    """The (folded) characters a character class matches, when it is a short list of literals, ranges and \\d."""
    out: set[str] = set()
    for op, av in items:
        if op is sre.LITERAL:
            out.add(_char(av))
        elif op is sre.RANGE and av[1] - av[0] < 40:
            out.update(_char(c) for c in range(av[0], av[1] + 1))
        elif op is sre.CATEGORY and av is sre.CATEGORY_DIGIT:
            out.add("0")
        elif op is sre.CATEGORY and av is sre.CATEGORY_SPACE:
            out.add(" ")
        else:
            return None
    return None if None in out else out


# A beginning is (text, open): open while the pattern goes on past it and it is shorter than K; a beginning that
# stops short of K characters without being open ends where the analysis can no longer name the character.
Starts = set[tuple[str, bool]]


def _join(heads: Starts, tails: Starts | None) -> Starts:
    n = sum(o for _, o in heads)
    if tails is not None and n * len(tails) > _LIMIT:
        tails = {(t[:1], False) for t, _ in tails}  # too many to list: only their first characters are named
    if tails is None or n * len(tails) > _LIMIT:
        # a character the analysis cannot name (or still too many): every open beginning stops here
        return {(s, False) for s, _ in heads}
    out = set()
    for s, open_ in heads:
        if not open_:
            out.add((s, False))
            continue
        for t, more in tails:
            u = s + t
            out.add((u[:K], more and len(u) < K))
    return out


def _seq(items) -> Starts:
    out: Starts = {("", True)}
    for op, av in items:
        if not any(o for _, o in out):
            break
        out = _join(out, _node(op, av))
    return out


# atomic groups and possessive repeats came with Python 3.11; on 3.10 a pattern cannot hold them
_ATOMIC_GROUP = getattr(sre, "ATOMIC_GROUP", None)
_POSSESSIVE_REPEAT = getattr(sre, "POSSESSIVE_REPEAT", None)


def _node(op, av) -> Starts | None:
    if op is sre.LITERAL:
        c = _char(av)
        return {(c, True)} if c is not None else None
    if op is sre.IN:
        chars = _class(av)
        return {(c, True) for c in chars} if chars is not None else None
    if op is sre.AT or (op in (sre.ASSERT, sre.ASSERT_NOT) and av[0] < 0):
        return {("", True)}  # zero width; a lookbehind reads only what is before
    if op is sre.SUBPATTERN:
        return _seq(av[-1])
    if op is _ATOMIC_GROUP:
        return _seq(av)
    if op is sre.BRANCH:
        return set().union(*(_seq(alt) for alt in av[1]))
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, _POSSESSIVE_REPEAT):
        lo, hi, sub = av
        one = _seq(sub)
        out: Starts = {("", True)} if lo == 0 else set()
        acc: Starts = {("", True)}
        for n in range(1, min(hi, max(lo, K + 1)) + 1):
            acc = _join(acc, one)
            if n >= lo:
                out |= acc
        if hi > max(lo, K + 1):  # more repetitions than were followed: those still open cannot be named
            out |= {(s, False) for s, o in acc if o}
        return out
    return None  # a lookahead (it may read to the end of the text), any character, a wide class, a reference


def beginnings(tree) -> set[str] | None:
    """The strings (folded, up to K characters) one of which begins any match of a parsed pattern; None when it
    could begin anywhere."""
    starts = {s for s, _ in _seq(tree)}
    return None if "" in starts else starts


def alternatives(pattern: str) -> list[str]:
    """The pattern's top-level alternatives, as text."""
    out, depth, start, i, in_class = [], 0, 0, 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            i += 1 if pattern[i + 1 : i + 2] == "^" else 0
            i += 1 if pattern[i + 1 : i + 2] == "]" else 0  # a "]" first in a class is a literal
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            out.append(pattern[start:i])
            start = i + 1
        i += 1
    out.append(pattern[start:])
    return out


def _trie(words) -> str:
    """A pattern matching any of `words`, longest first, written as a trie (so `re` can skip ahead quickly)."""
    root: dict = {}
    for w in words:
        node = root
        for c in w:
            node = node.setdefault(c, {})
        node[""] = {}

    def emit(node: dict) -> str:
        alts = [re.escape(c) + emit(node[c]) for c in sorted(k for k in node if k)]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(root)


def _at_word_start(items) -> bool:
    """Whether every match of the sequence begins with a word boundary (`\\b`, before any character is read)."""
    for op, av in items:
        if op is sre.AT:
            return av is sre.AT_BOUNDARY
        if op is sre.SUBPATTERN:
            return _at_word_start(av[-1])
        if op is sre.BRANCH:
            return all(_at_word_start(alt) for alt in av[1])
        return False
    return False


def _closure(by: dict[str, set[int]], only: set[int] | None = None) -> dict[str, frozenset[int]]:
    """A found beginning -> every alternative (of `only`) that it, or a beginning that is a prefix of it, begins."""
    out = {}
    for s in by:
        js = frozenset().union(*(by.get(s[:n], ()) for n in range(1, len(s) + 1)))
        out[s] = js if only is None else js & only
    return {s: js for s, js in out.items() if js}


class _Scan:
    """One search for beginnings: at each position found, the alternatives its longest beginning there names."""

    def __init__(self, by: dict[str, set[int]], only: set[int] | None = None, word_start: bool = False):
        self.closure = _closure(by, only)
        trie = _trie(self.closure)
        self.rx = re.compile((r"\b(?:" + trie + ")") if word_start else trie) if trie else None

    def into(self, out: dict[int, frozenset[int]], text: str, start: int) -> None:
        if self.rx is None:
            return
        search, closure = self.rx.search, self.closure
        m = search(text, start)
        while m is not None:
            p = m.start()
            got = closure[m.group()]
            out[p] = out[p] | got if p in out else got
            m = search(text, p + 1)


@dataclass
class AltIndex:
    """The alternatives of a list of patterns (pattern i's alternatives are those whose owner is i) and their
    beginnings, for `at` and `whole_at`."""

    alts: list[str]
    owner: list[int]
    anywhere: frozenset[int]  # alternatives that may begin anywhere
    partial: dict[str, frozenset[int]]  # the last characters of a text -> alternatives they could begin
    scan: _Scan  # every beginning
    gated: frozenset[int]  # alternatives that begin with a word boundary
    # for whole matches by `re` alone: alternatives that begin at a word boundary are looked for only there (the same
    # engine reads the boundary in the same text: folding keeps letters letters)
    words: _Scan
    others: _Scan

    @classmethod
    def build(cls, patterns: list[str], flags: int) -> AltIndex:
        alts, owner, starts, gated = [], [], [], set()
        for i, p in enumerate(patterns):
            for a in alternatives(p):
                alts.append(a)
                owner.append(i)
                tree = sre.parse(a, flags)
                starts.append(beginnings(tree))
                if _at_word_start(tree):
                    gated.add(len(alts) - 1)
        by: dict[str, set[int]] = {}
        cut: dict[str, set[int]] = {}
        for j, ss in enumerate(starts):
            for s in ss or ():
                by.setdefault(s, set()).add(j)
                for n in range(1, len(s)):
                    cut.setdefault(s[:n], set()).add(j)
        partial = {s: frozenset(js | by.get(s, set())) for s, js in cut.items()}
        anywhere = frozenset(j for j, ss in enumerate(starts) if ss is None)
        rest = set(range(len(alts))) - gated
        scans = _Scan(by), frozenset(gated), _Scan(by, gated, True), _Scan(by, rest)
        return cls(alts, owner, anywhere, partial, *scans)

    def at(self, text: str, start: int = 0) -> dict[int, frozenset[int]]:
        """position -> the alternatives that could match there, whole or in part (up to the end of `text`), for
        every position from `start` where one could; `text` is folded."""
        out: dict[int, frozenset[int]] = dict.fromkeys(range(start, len(text)), self.anywhere) if self.anywhere else {}
        self.scan.into(out, text, start)
        for p in range(max(start, len(text) - K + 1), len(text)):  # the end: a beginning cut short by it
            got = self.partial.get(text[p:])
            if got:
                out[p] = out[p] | got if p in out else got
        return out

    def whole_at(self, text: str, start: int = 0) -> dict[int, frozenset[int]]:
        """As `at`, for whole matches by `re` only."""
        out: dict[int, frozenset[int]] = dict.fromkeys(range(start, len(text)), self.anywhere) if self.anywhere else {}
        self.words.into(out, text, start)
        self.others.into(out, text, start)
        return out
