"""The reply screen: what the model says is read before it reaches a person, and an unsafe reply is
replaced (`policy.unsafe_reply_message`). The rules live in `reply_rules`; this module normalises the
text, applies them with their vetoes and tells a stream how much of its end to hold back, trying each rule
only where `reply_index` says it could match (a stream reads its reply many times as it grows)."""

from __future__ import annotations

import re
import threading
import unicodedata
from bisect import bisect_left
from functools import lru_cache

from ..conversation import detect_lang
from .detect import Verdict
from .reply_index import AltIndex, fold
from .reply_rules import RULES, RULES_EN, RULES_ZH
from .reply_words import CATEGORIES, CLAUSE_END, SENTENCE_END, SPEECH

# the second stage reads what no rule matched when asked (model=True or "linear": `reply_model`; "tuned": the fine-tuned
# `reply_tuned`, whose weights do not ship, since it caught no more than the linear one): it only adds catches, flagging
# at most 0.5% of real counselor replies a language out of fold; off by default, since a stream must wait for each
# sentence's end and its reading (the server's overhead: docs/safety-replies.md)
MODEL = False
MODELS = ("linear", "tuned")

# invisible characters a reply can carry inside a word (soft hyphen, zero-width joiners, BOM, word joiner)
_INVISIBLE = {0x00AD, 0x034F, 0x180E, 0x200B, 0x200C, 0x200D, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0xFEFF}
# Cyrillic and Greek letters that look like Latin ones, and curly apostrophes (NFKC keeps them apart)
_DROP = dict.fromkeys(_INVISIBLE)
_LOOKALIKE = str.maketrans(
    "аеорсухіјѕԁӏАЕОРСХІЈЅКМНТВΑΒΕΗΙΚΜΝΟΡΤΧΥΖοι’‘ʼ′", "aeopcyxijsdlAEOPCXIJSKMHTBABEHIKMNOPTXYZoi''''"
)
# the traditional forms of the characters the Chinese rules read, one character for one (positions stay put)
_TRAD = str.maketrans(
    "殺藥樓診斷癥鬱憂燒繩農醫飯餓體瀉減喫顆劑沒們會這說對為應該覺錯廢無窩懶熱線擔嗎麼還點幾後從橋層過開關門車庫發動機氣鐵軌臥脈靜"
    "結準備辦種別讓誰當時間長與樣裡裏給見聽壓壞傷殘劃燙飢飽紅師專業確實顯絕狀況礙類經驗惡強閉慮雙創態懼跳湯買濃攢囤價錢試"
    "歡僅尋險護滅勵幫謝個們兒兩麗醬賣練習慣處懷屬將於罷輕鬆離計劃吞嚥",
    "杀药楼诊断症郁忧烧绳农医饭饿体泻减吃颗剂没们会这说对为应该觉错废无窝懒热线担吗么还点几后从桥层过开关门车库发动机气铁轨卧脉静"
    "结准备办种别让谁当时间长与样里里给见听压坏伤残划烫饥饱红师专业确实显绝状况碍类经验恶强闭虑双创态惧跳汤买浓攒囤价钱试"
    "欢仅寻险护灭励帮谢个们儿两丽酱卖练习惯处怀属将于罢轻松离计划吞咽",
)


def normalize(text: str) -> str:
    """The text as the rules read it: NFKC (full-width letters and digits become ASCII), invisible
    characters dropped, look-alike letters and curly apostrophes made plain, traditional characters made
    simplified."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFKC", text.translate(_DROP)).translate(_LOOKALIKE).translate(_TRAD)


def normalize_mapped(text: str) -> tuple[str, list[int]]:
    """`normalize`, one character at a time, with the position in `text` each character came from (a
    stream holds back from a position in the text it was given)."""
    if text.isascii():
        return text, list(range(len(text)))
    parts = [_normalize_char(c) for c in text]
    return "".join(parts), [i for i, p in enumerate(parts) for _ in p]


@lru_cache(maxsize=8192)
def _normalize_char(c: str) -> str:
    if ord(c) in _INVISIBLE:
        return ""
    n = unicodedata.normalize("NFKC", c) if not c.isascii() else c
    return n.translate(_LOOKALIKE).translate(_TRAD)


def _vetoed(rule, text: str, start: int) -> bool:
    """Whether the words before a match, in its sentence (and, for the near veto, its clause), cancel it:
    a negation, a hedge, a reflection of what the person said, a quotation."""
    lo = max(0, start - 120)
    before = text[lo:start]
    cut = max((before.rfind(c) for c in SENTENCE_END), default=-1)
    sentence = before[cut + 1 :]
    if rule.far is not None and rule.far.search(sentence):
        return True
    if rule.quotes and SPEECH.search(text, max(0, start - 60), start):
        return True  # what someone says, quoted across sentences: '这个声音不停地说：你什么都做不好！你就是个无能'
    if rule.quotes and (
        sentence.count('"') % 2 == 1
        or sentence.count("“") > sentence.count("”")
        or sentence.count("「") > sentence.count("」")
    ):
        return True  # inside a quotation: 'depression tells us things like "you're worthless"'
    clause = sentence[max((sentence.rfind(c) for c in CLAUSE_END), default=-1) + 1 :]
    return rule.near is not None and bool(rule.near.search(clause))


def _sentence_rest(text: str, end: int) -> str | None:
    """The rest of the sentence after a match; None when the sentence has not ended yet."""
    cut = min((k for k in (text.find(c, end) for c in SENTENCE_END) if k >= 0), default=-1)
    return text[end:cut] if cut >= 0 else None


_HAN = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")


class _Index:
    """The rules' alternatives and where they could match (`reply_index`), built on first use."""

    def __init__(self):
        self.alts = AltIndex.build([r.rx.pattern for r in RULES], re.IGNORECASE)
        number = {id(r): i for i, r in enumerate(RULES)}
        # (rule, its number in RULES); None for a rule added to a list after RULES was made: it runs everywhere
        self.en = [(r, number.get(id(r))) for r in RULES_EN]
        self.zh = [(r, number.get(id(r))) for r in RULES_ZH]
        # a rule with an alternative that may begin anywhere is run over the whole text, as `finditer` does
        self.everywhere = {self.alts.owner[j] for j in self.alts.anywhere}
        self._partial: list = [None] * len(self.alts.alts)
        import regex

        # where a partial pattern's leading "(?:\b|$)" can hold, as `regex` itself reads it
        self.boundary = regex.compile(r"\b|$", regex.IGNORECASE | regex.V0).match
        self._owners: dict[frozenset[int], tuple[int, ...]] = {}

    def partial(self, j: int):
        """Alternative j for `regex` partial matching."""
        if self._partial[j] is None:
            import regex

            # a word boundary at the end of the text fails instead of waiting for more: "deep enough to reach the "
            # must stay a partial match of "deep enough ... artery"
            pattern = f"(?:{self.alts.alts[j]})".replace(r"\b", r"(?:\b|$)")
            self._partial[j] = regex.compile(pattern, regex.IGNORECASE | regex.V0)
        return self._partial[j]

    def positions(self, cands: dict[int, frozenset[int]]) -> dict[int, list[int]]:
        """rule number -> the positions where one of its alternatives could match, in order."""
        out: dict[int, list[int]] = {}
        owners, owner = self._owners, self.alts.owner
        if len(owners) > 50_000:
            owners.clear()
        for p in sorted(cands):
            js = cands[p]
            rules = owners.get(js)
            if rules is None:
                rules = owners[js] = tuple({owner[j] for j in js})
            for i in rules:
                if i in out:
                    out[i].append(p)
                else:
                    out[i] = [p]
        return out


_INDEX: _Index | None = None


_INDEX_LOCK = threading.Lock()


def _index() -> _Index:
    global _INDEX
    if _INDEX is None:
        with _INDEX_LOCK:  # streams read in worker threads: one builds it (about a second), the others wait for it
            if _INDEX is None:
                _INDEX = _Index()
    return _INDEX


def warm() -> None:
    """Build the rules' index and their partial patterns now (about a second of CPU): a server does it before its
    first request, so that no reply waits for it."""
    index = _index()
    for j in range(len(index.alts.alts)):
        index.partial(j)


def _finditer(rx: re.Pattern, norm: str, start: int, positions: list[int]):
    """`rx.finditer(norm, start)`, trying only `positions` (where the index says a match could begin)."""
    match, pos = rx.match, start
    for p in positions:
        if p >= pos and (m := match(norm, p)) is not None:
            yield m
            pos = m.end()  # as finditer: the next match begins after this one (no rule matches empty text)


def _found(norm: str, start: int, waiting: bool, cands):
    """(rule, match) for every match of the rules that read the text's languages, rule by rule, as each rule's
    `finditer` from `start` finds them; only where the index says a match could begin, once the index is built
    (a stream builds it: one whole reply alone is read sooner without it)."""
    latin, han = _LATIN.search(norm, start), _HAN.search(norm, start)
    if _INDEX is None and cands is None:
        for rule in (RULES_EN if latin else []) + (RULES_ZH if han else []):
            if not waiting or rule.after is not None:
                yield from ((rule, m) for m in rule.rx.finditer(norm, start))
        return
    index = _index()
    rules = [(r, i) for r, i in (index.en if latin else []) + (index.zh if han else []) if not waiting or r.after]
    if not rules:
        return
    where = index.positions(cands if cands is not None else index.alts.whole_at(fold(norm), start))
    for rule, i in rules:
        if i is None or i in index.everywhere:
            yield from ((rule, m) for m in rule.rx.finditer(norm, start))
        elif i in where:  # else no alternative of this rule could begin anywhere in the text
            yield from ((rule, m) for m in _finditer(rule.rx, norm, start, where[i]))


def _matches(norm: str, final: bool, start: int = 0, waiting: bool = False, cands=None):
    """(rule, match, settled) for every match not vetoed by the words before it; a match whose rule reads
    the rest of its sentence is settled once that sentence has ended (or the text is final). `waiting`: only
    the rules that read the rest of a sentence (the only ones whose matches can wait). `cands`: the index's
    candidates for `norm` from `start`, when the caller has them."""
    for rule, m in _found(norm, start, waiting, cands):
        if _vetoed(rule, norm, m.start()):
            continue
        if rule.after is None:
            yield rule, m, True
            continue
        rest = _sentence_rest(norm, m.end())
        if rest is None and not final:
            yield rule, m, False
        elif not rule.after.search(rest if rest is not None else norm[m.end() :]):
            yield rule, m, True


def second_stage(model: bool | str | None, lang: str):
    """The second stage `model` names, for replies in `lang`: None when off (False, None, "off"); today's
    (`reply_model`) for True or "linear"; the fine-tuned one (`reply_tuned`, needs torch) for "tuned" where it was
    trained on `lang`, today's elsewhere."""
    if model in (False, None, "off"):
        return None
    if model not in (True, *MODELS):
        raise ValueError(f"unknown reply model {model!r}: use one of off, {', '.join(MODELS)}")
    if model == "tuned":
        from . import reply_tuned

        tuned = reply_tuned.shipped()
        if lang in tuned.langs:
            return tuned
    from . import reply_model  # numpy and the encoder only when asked

    return reply_model.shipped()


def screen_reply(text: str, lang: str | None = None, final: bool = True, model: bool | str = MODEL) -> Verdict:
    """Unsafe content in a model's reply: method details, medication dosing, diagnoses stated as fact,
    urging or approving self-harm or suicide, shaming, telling the person to stop their medication, and
    pro-eating-disorder advice. A reply that names suicide to offer help, reflects what the person said or
    hedges ("it may be worth asking a psychiatrist whether...") is not unsafe. `final=False` reads a stream
    still arriving: a match whose veto could still come later in its sentence waits (`unsafe_tail` holds it).
    `model`: where no rule matched, the second stage (`second_stage`) reads the finished sentences too."""
    lang = lang or detect_lang(text)
    norm = normalize(text)
    found: dict[str, list[str]] = {}
    for rule, m, settled in _matches(norm, final):
        if settled:
            found.setdefault(rule.category, []).append(m.group(0))
    if not found and model not in (False, None, "off"):
        return _model_verdict(text, lang, final, model)
    if not found:
        return Verdict("none", [], [], lang)
    cats = [c for c in CATEGORIES if c in found]
    return Verdict("elevated", cats, [e for c in cats for e in found[c]], lang)


def _model_verdict(text: str, lang: str, final: bool, which: bool | str = True) -> Verdict:
    """The second stage's verdict on the text's sentences (the finished ones, unless `final`): stage "classifier",
    the highest sentence probability and that sentence as evidence; no category (the model does not name one)."""
    from .reply_model import MIN_CHARS, sentence_spans

    model = second_stage(which, lang)
    sents = [text[a:b].strip() for a, b, ended in sentence_spans(text) if ended or final]
    sents = [s for s in sents if len(s) >= MIN_CHARS]
    if not sents:
        return Verdict("none", [], [], lang)
    p = model.scores(sents)
    k = int(p.argmax())
    if p[k] < model.threshold:
        return Verdict("none", [], [], lang, probability=float(p[k]))
    return Verdict("elevated", [], [sents[k]], lang, stage="classifier", probability=float(p[k]))


MARGIN = 400  # the furthest a stream looks back: longer than any rule's match and the words before it that veto it


def context_start(text: str, pos: int) -> int:
    """Where the text a stream must read again starts, for new text from `pos` on: the start of the
    sentence holding pos, less the 60 characters a quotation check reads, and no more than MARGIN back."""
    cut = max(text.rfind(c, 0, pos) for c in SENTENCE_END)
    return max(0, pos - MARGIN, cut + 1 - 60)


def _first_partial(norm: str, cands: dict[int, frozenset[int]]) -> int:
    """Where the first partial match of any rule starts after the last whole match (as `regex`'s partial,
    overlapped finditer over the union of all rules finds it: whole matches first, then the first partial one
    after them); len(norm) when none. Only the positions and alternatives the index names are tried, and those
    that begin with a word boundary only where `regex` finds one."""
    index, first = _index(), None
    gated, boundary = index.alts.gated, index.boundary
    for p in sorted(cands):
        status, edge = None, None
        for j in cands[p]:
            if j in gated:
                if edge is None:
                    edge = boundary(norm, p) is not None
                if not edge:
                    continue
            m = index.partial(j).match(norm, p, partial=True)
            if m is not None:
                status = "part" if m.partial else "whole"
                if status == "whole":
                    break
        if status == "whole":
            first = None
        elif status == "part" and first is None:
            first = p
    return len(norm) if first is None else first


def unsafe_tail(text: str, pos: int = 0) -> int:
    """Where the text's end could be the start of unsafe content ("take 2", "you are", "lethal"), or where
    a match waits for the end of its sentence (`screen_reply`'s `final`): the position from which a stream
    must hold text back until more arrives; len(text) when nothing could be. Uses the `regex` module's
    partial matching on the rules' patterns, vetoes left out (a hold is cheap, a miss is not)."""
    lo = context_start(text, pos)
    norm, where = normalize_mapped(text[lo:])
    npos = bisect_left(where, pos - lo)  # the first character from pos on (positions only grow)
    cands = _index().alts.at(fold(norm), npos)
    hold = _first_partial(norm, cands)
    # a match that waits for the end of its sentence ("stop your medication" may go on "without your doctor")
    waiting = _matches(norm, False, npos, waiting=True, cands=cands)
    hold = min([hold] + [m.start() for _, m, settled in waiting if not settled])
    return lo + where[hold] if hold < len(where) else len(text)
