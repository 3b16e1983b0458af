"""First-stage crisis detection: the bilingual lexicon (`lexicon`) applied, with idiom, negation and context handling.

Risk levels, after RUBRIC.md of the real labelled messages: `none`, `elevated` (suicidal thoughts, passive ones
included, self-harm, farewells, harm to others, current violence) and `imminent` (a decided plan, an attempt under
way or a goodbye to the world; a method sought by someone who wants to die; a plan, means or timing together with
intent, or an act under way). Idioms such as "想死你了", "笑死我了", "跳楼价", "killing it" and "my boss will kill
me" are removed before matching; what cancels a phrase (a negation, the past, someone else, study, fiction) and how
far each such veto reaches is in `vetoes`: only the clause of the phrase it cancels.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import asdict, dataclass, field

from ..conversation import detect_lang
from .lexicon import EN, IDIOMS, ZH  # the tables; detect.EN and detect.ZH stay importable
from .normalize import normalize
from .vetoes import SAFE, SELF_NEGATING, about_someone_else, in_the_past, negated, told_as_past

LEVELS = ("none", "elevated", "imminent")


STAGES = ("lexicon", "context", "asked", "classifier", "llm")


@dataclass
class Verdict:
    """The screen's verdict on one message. `stage`: which stage set the risk (STAGES; None when nothing
    flagged it); `probability`: the classifier's, when it read the message; `sure`: whether that probability
    reached the classifier's own `sure` level; `answer`: what the policy chose (`policy.ANSWERS`), filled by
    `policy.decide`. The policy reads these fields, never the evidence text."""

    risk: str = "none"
    categories: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    lang: str = "en"
    stage: str | None = None
    probability: float | None = None
    sure: bool = False
    answer: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def flagged(self) -> bool:
        return self.risk != "none"


# fmt: off
ELEVATED = ("suicidal_ideation", "self_harm", "farewell", "harm_to_others", "abuse", "plan_or_means", "method_request",
            "plan_made")
# the rubric's imminent risk on its own: a decided plan, an attempt under way or just made, a goodbye to the world
IMMINENT = ("plan_made",)
# fmt: on
_HAN = re.compile(r"[\u4e00-\u9fff]")
_CLAUSE = re.compile(r"[^.!?;。！？；\n]+")
_NOT_WORD = " \t\n,.;:!?，。；：！？、"


def _blank(rx: re.Pattern, text: str) -> str:
    """The text with rx's matches replaced by spaces of the same length (positions stay where they were)."""
    return rx.sub(lambda m: " " * len(m.group(0)), text)


def _readings(text: str):
    """(language key, its lexicon, the text with that language's idioms blanked out), for both lexicons."""
    for key, table in (("en", EN), ("zh", ZH)):
        yield key, table, _blank(IDIOMS[key], text)


def scan(text: str, lang: str | None = None) -> tuple[Verdict, list[str]]:
    """(the verdict, the risk phrases that matched but were cancelled by a negation or by a context about
    someone else, study, fiction, a joke, an accident or the past). A second stage uses the cancelled
    phrases: the lexicon has read that message as explicitly not a disclosure. The text is read after
    `normalize` (leetspeak, look-alike letters, invisible characters, traditional characters, pinyin)."""
    lang = lang or detect_lang(text)
    text = normalize(text)
    found: dict[str, list[str]] = {}
    spans: dict[str, list[tuple[int, int]]] = {}
    cancelled: list[str] = []
    past: set[tuple[int, int]] = set()  # the risk phrases told as past: no time word makes them imminent
    for key, table, cleaned in _readings(text):
        for category, rx in table.items():
            for m in rx.finditer(cleaned):
                # the window ends at the match's first word: a match may begin with punctuation (", the rope is up")
                lead = m.start() + len(m.group(0)) - len(m.group(0).lstrip(_NOT_WORD))
                if not SELF_NEGATING.search(m.group(0)) and negated(key, cleaned[max(0, lead - 40) : lead]):
                    if category != "imminent_timing":
                        cancelled.append(m.group(0))
                    continue
                if category not in ("imminent_timing", "abuse", "method_request") and about_someone_else(
                    key, cleaned, m.start(), m.end(), category == "farewell"
                ):
                    cancelled.append(m.group(0))
                    continue
                # "最近老是想起小时候爸妈揍我": remembering past abuse lately does not make it current
                if (
                    category == "abuse"
                    and not _SEXUAL.search(m.group(0))
                    and in_the_past(key, cleaned, m.start(), False)
                ):
                    cancelled.append(m.group(0))  # past abuse that is over: "my father hit me when I was a kid"
                    continue
                if category not in ("imminent_timing", "abuse") and told_as_past(key, cleaned, m.start(), m.end()):
                    past.add(m.span())
                    if category == "plan_made":  # "我曾经想过等他们睡着后就去死": a past wish, not a plan now
                        category = "suicidal_ideation"
                found.setdefault(category, []).append(m.group(0))
                spans.setdefault(category, []).append(m.span())
        cancelled += [m.group(0) for m in SAFE[key].finditer(cleaned)]
    _local_timing(text, found, spans, past)
    cats = set(found)
    risk = "none"
    if cats & set(ELEVATED):
        risk = "elevated"
        intent = bool(cats & {"suicidal_ideation", "self_harm", "farewell", "harm_to_others"})
        if cats & set(IMMINENT) or (cats & {"method_request", "plan_cue"} and intent):
            # a method sought, or a plan or goodbye in plain words, by someone who says they want to die
            risk = "imminent"
        elif "imminent_timing" in cats and (intent or "plan_or_means" in cats):
            risk = "imminent"
        elif "plan_or_means" in cats and intent and len(found["plan_or_means"]) > 1:
            risk = "imminent"
        elif len(set(found.get("method_request", ()))) > 1:
            # several method details asked (a lethal dose and how not to be saved): a method being chosen
            risk = "imminent"
    if risk == "none":
        return Verdict("none", [], [], lang), cancelled
    categories = [c for c in (*ELEVATED, "plan_cue", "imminent_timing") if c in cats]
    return Verdict(risk, categories, [e for c in categories for e in found[c]], lang, "lexicon"), cancelled


# sexual abuse disclosed from the past still counts (a counselor would ask about it); past beatings that are over do not
_SEXUAL = re.compile(
    r"made me|touch|secret|rap(?:e|ed|es|ing)\b|molest|sexual|性侵|猥亵|强奸|秘密|性骚扰", re.IGNORECASE
)
_WEAK_TIMING = {"now", "today", "现在", "今天", "正在"}


# how near a timing word must be to a risk phrase, in characters (a Chinese word is one or two): a weak one in the
# same sentence, a strong one ("tonight", 今晚) in the same or the next sentence
_NEAR = 40
_FAR = 120
_MEANS = ("plan_or_means", "method_request", "plan_cue")
_LONGEST = 400  # no risk phrase of the lexicon is longer, in characters


def _local_timing(text: str, found: dict, spans: dict, past: set) -> None:
    """Keep the timing words that say when the person will act, drop those that say when they write.
    A weak one (_WEAK_TIMING) counts beside means or a method in its sentence ("我现在站在楼顶", "现在只想跳楼"),
    right after a risk phrase ("kill myself now"), or with 就 ("现在就想死"); 正在 beside self-harm too ("我正在
    自残"). "现在我甚至想自杀" and "I'm writing this now ... thoughts of suicide" say how things are, not a time
    to act (the rubric's imminent needs a time, means, a plan or an act under way). A strong one ("tonight",
    "马上") counts within _FAR characters of a risk phrase, so "Tonight, it was because of my earrings" five
    sentences after a self-harm phrase does not. Phrases told as past (`past`: "After my dad left, I wanted to
    kill myself") take no time word: it says when they were felt, not when the person will act."""
    if "imminent_timing" not in found:
        return

    clauses = [m.start() for m in _CLAUSE.finditer(text) if m.group(0).strip()]
    # the risk phrases by position, so that each timing word reads only those around it (a long paste holds many)
    risk = sorted(
        (ra, rb, c) for c, at in spans.items() if c != "imminent_timing" for ra, rb in at if (ra, rb) not in past
    )
    starts = [r[0] for r in risk]

    def around(a: int, b: int, reach: int) -> list:
        return risk[bisect_left(starts, a - reach - _LONGEST) : bisect_right(starts, b + reach)]

    def near(a: int, b: int, categories, reach: int, same_clause: bool, ahead: bool = False) -> bool:
        reach = reach // 3 if _HAN.search(text[a:b]) else reach
        apart = 0 if same_clause else 1  # sentences between the timing word and the risk phrase
        return any(
            abs(bisect_right(clauses, a) - bisect_right(clauses, ra)) <= apart
            and ra - reach <= b
            and a <= rb + reach
            and (categories is None or c in categories)
            and (not ahead or (ra >= b and text[ra - 1] != "过"))
            for ra, rb, c in around(a, b, reach)
        )

    def counts(word: str, a: int, b: int) -> bool:
        w = word.lower()
        if w not in _WEAK_TIMING:
            return near(a, b, None, _FAR, False)
        # means after the word, not an attempt told as done ("现在很想死，也尝试过割腕")
        if near(a, b, _MEANS + (("self_harm",) if w == "正在" else ()), _NEAR, True, ahead=True):
            return True
        close = around(a, b, 3)
        if any(ra <= a and b <= rb for ra, rb, _ in close):
            return True  # part of the phrase itself: "我现在不安全"
        after_risk = any(0 <= a - rb <= 3 for _, rb, _ in close)
        return (after_risk and not _HAN.search(word)) or (text.startswith("就", b) and near(a, b, None, _NEAR, True))

    kept = [w for w, (a, b) in zip(found["imminent_timing"], spans["imminent_timing"]) if counts(w, a, b)]
    if kept:
        found["imminent_timing"] = kept
    else:
        del found["imminent_timing"]


def cues(text: str, categories: tuple[str, ...] = ("imminent_timing", "plan_or_means", "method_request")) -> set[str]:
    """Which of these categories' phrases occur in the text (idioms removed, negations not applied): the
    signals a message can add to what the conversation already said ("tonight", "the pills")."""
    found = set()
    for _, table, cleaned in _readings(normalize(text)):
        for c in categories:
            # "now" and "today" are in most messages ("I feel a bit better now"): too weak to add on their own
            if any(
                c != "imminent_timing" or m.group(0).lower() not in _WEAK_TIMING for m in table[c].finditer(cleaned)
            ):
                found.add(c)
    return found


def screen(text: str, lang: str | None = None) -> Verdict:
    """Screen one message. Both lexicons run on mixed text; `lang` is recorded, detected when omitted."""
    return scan(text, lang)[0]


def without_idioms(text: str) -> str:
    """The text with idioms and slang blanked out, as the lexicon reads it."""
    for rx in IDIOMS.values():
        text = _blank(rx, text)
    return text


# -- model replies ------------------------------------------------------------------------------------


def __getattr__(name: str):
    """`screen_reply` and `unsafe_tail` live in `reply` (the reply screen); they stay importable from here."""
    if name in ("screen_reply", "unsafe_tail"):
        from . import reply

        return getattr(reply, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
