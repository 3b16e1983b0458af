"""First-stage crisis detection: bilingual lexicons with idiom and negation handling.

Risk levels: `none`, `elevated` (suicidal thoughts, self-harm, farewells, harm to others, abuse) and
`imminent` (a plan, means or timing together with intent). Idioms such as "想死你了", "笑死我了",
"跳楼价", "killing it" and "my boss will kill me" are removed before matching; a negation just before
a match ("I would never kill myself", "从没想过自杀") cancels that match.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from ..conversation import detect_lang

LEVELS = ("none", "elevated", "imminent")


@dataclass
class Verdict:
    risk: str = "none"
    categories: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    lang: str = "en"

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def flagged(self) -> bool:
        return self.risk != "none"


def _rx(*patterns: str) -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


# category -> pattern; order does not matter, every category is checked
EN = {
    "suicidal_ideation": _rx(
        r"\bkill(?:ing)? my ?self\b", r"\bend(?:ing)? (?:my life|it all|things)\b", r"\btake my (?:own )?life\b",
        r"\bcommit(?:ting)? suicide\b", r"\bsuicid(?:e|al)\b", r"\b(?:want|wanna|going) to die\b",
        r"\bdon'?t want to (?:live|be alive|exist|be here anymore|wake up)\b", r"\bbetter off dead\b",
        r"\bno (?:reason|point) (?:to|in) (?:live|living|go on|going on)\b", r"\bwish i (?:was|were) dead\b",
        r"\b(?:everyone|they|world) (?:would be|is) better off without me\b", r"\bcan'?t go on (?:living|anymore)\b",
        r"\bnever want to wake up\b", r"\bwish i (?:could )?(?:disappear|never woke up|wasn'?t born)\b"),
    "plan_or_means": _rx(
        r"\b(?:have|got|bought|saved|stockpil\w*|collect\w*) (?:the |some |enough |a )?(?:pills|rope|gun|razor|blades?)\b",
        r"\bhow many (?:pills|tablets)\b", r"\blethal dose\b", r"\boverdos(?:e|ing)\b",
        r"\bjump(?:ing)? (?:off|from) (?:the |a )?(?:bridge|roof|building|balcony)\b", r"\bhang(?:ing)? myself\b",
        r"\bwrote (?:a|my) (?:suicide )?note\b"),
    "imminent_timing": _rx(r"\btonight\b", r"\bright now\b", r"\btoday\b", r"\bin (?:a|an) (?:few )?(?:minutes?|hours?)\b",
                           r"\bthis is (?:my )?(?:last|goodbye)\b"),
    "self_harm": _rx(r"\b(?:cut|cutting|burn|burning|hurt|hurting|harm|harming) my ?self\b", r"\bself[- ]harm\w*\b"),
    "farewell": _rx(r"\bgiv(?:e|ing) away (?:all )?my (?:stuff|things|belongings)\b", r"\bthis is goodbye\b",
                    r"\bwon'?t be (?:around|here) (?:much longer|anymore|tomorrow)\b",
                    r"\bsay(?:ing)? goodbye to (?:everyone|everybody)\b"),
    "harm_to_others": _rx(r"\b(?:going to|gonna|want to|will) (?:kill|hurt|shoot|stab) (?:him|her|them|someone|people|my \w+)\b"),
    "abuse": _rx(r"\b(?:he|she|they|my \w+) (?:hits|beats|hit|beat|rapes|raped|abuses|abused|chokes|choked) me\b",
                 r"\b(?:being|been|was|am) (?:sexually |physically )?abused\b", r"\bafraid to go home\b"),
}
ZH = {
    "suicidal_ideation": _rx(r"想死", r"不想活", r"活不下去", r"活着没(?:有)?意思", r"自杀", r"轻生", r"结束(?:自己的)?生命",
                             r"了结自己", r"死了算了", r"一了百了", r"不如死了", r"不想醒来", r"消失算了"),
    "plan_or_means": _rx(r"安眠药", r"跳楼", r"跳河", r"割腕", r"上吊", r"烧炭", r"喝农药", r"遗书", r"攒了.{0,4}药",
                         r"吃多少.{0,2}药.{0,4}(?:会死|致死)", r"致死(?:剂)?量"),
    "imminent_timing": _rx(r"今晚", r"现在就", r"马上就", r"今天就", r"最后一次"),
    "self_harm": _rx(r"自残", r"伤害自己", r"割自己", r"划自己", r"自伤"),
    "farewell": _rx(r"永别", r"再见了(?:大家|所有人)", r"把.{0,4}东西(?:都)?送人", r"交代后事"),
    "harm_to_others": _rx(r"杀了(?:他|她|他们|她们)", r"想杀人", r"弄死(?:他|她)", r"报复社会"),
    "abuse": _rx(r"家暴", r"(?:他|她|爸|妈|父亲|母亲|老公|男友|丈夫)(?:经常|总是|又)?打我", r"性侵", r"虐待我"),
}
# idioms and slang removed before matching
IDIOMS = {
    "en": re.compile(r"\bkill(?:ing|ed)? it\b|\bdying (?:to|for)\b|\b(?:will|gonna|going to) kill me\b|"
                     r"\bkills? me\b|\bto die for\b|\bdead tired\b|\bsuicide (?:squad|doors?|run)\b",
                     re.IGNORECASE),
    "zh": re.compile(r"想死(?:你|我)了|想死你|(?:笑|累|热|冷|饿|困|气|吓|烦|忙|美|帅|急|渴|痒|疼|痛|丑|难受)死(?:我|人|了)|"
                     r"跳楼价|跳楼甩卖|死机|死磕"),
}
NEGATION = {
    "en": re.compile(r"\b(?:never|not|wouldn'?t|won'?t|don'?t|didn'?t|no longer|isn'?t|aren'?t)\b(?:\W+\w+){0,4}\W*$",
                     re.IGNORECASE),
    "zh": re.compile(r"(?:不会|没有|没|从没|从不|从来没|并不|不是|不再|绝不)[^，。！？,.!?]{0,4}$"),
}
# phrases that carry their own negation and must never be cancelled
SELF_NEGATING = re.compile(r"don'?t want to|不想|活不下去|没意思|never want", re.IGNORECASE)
ELEVATED = ("suicidal_ideation", "self_harm", "farewell", "harm_to_others", "abuse", "plan_or_means")


def screen(text: str, lang: str | None = None) -> Verdict:
    """Screen one message. Both lexicons run on mixed text; `lang` is recorded, detected when omitted."""
    lang = lang or detect_lang(text)
    found: dict[str, list[str]] = {}
    for key, table in (("en", EN), ("zh", ZH)):
        cleaned = IDIOMS[key].sub(" ", text)
        for category, rx in table.items():
            for m in rx.finditer(cleaned):
                if not SELF_NEGATING.search(m.group(0)) and NEGATION[key].search(cleaned[max(0, m.start() - 40):m.start()]):
                    continue
                found.setdefault(category, []).append(m.group(0))
    cats = set(found)
    risk = "none"
    if cats & set(ELEVATED):
        risk = "elevated"
        intent = "suicidal_ideation" in cats or "self_harm" in cats or "farewell" in cats
        if "plan_or_means" in cats and (intent or "imminent_timing" in cats):
            risk = "imminent"
        elif intent and "imminent_timing" in cats:
            risk = "imminent"
    if risk == "none":
        return Verdict("none", [], [], lang)
    categories = [c for c in (*ELEVATED, "imminent_timing") if c in cats]
    return Verdict(risk, categories, [e for c in categories for e in found[c]], lang)
