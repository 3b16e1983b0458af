"""What the safety layer says: the AI notice, the crisis message with resources for a locale, the note the
model gets when it may answer an elevated message (`elevated_reply`, off by default), when the crisis message
is the whole answer (`crisis_alone`), and the replacement for an unsafe model
reply."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources as ir
from pathlib import Path

import yaml

from .detect import Verdict

NOTICE = {
    "en": "You are talking to an AI, not a professional. It can listen, but it cannot replace a counselor, "
          "doctor or crisis service. If you are in danger, contact emergency services now.",
    "zh": "你正在与人工智能交谈，而不是专业人员。它可以倾听，但不能替代心理咨询师、医生或危机干预服务。"
          "如果你正处于危险中，请立即联系急救服务。",
}
CRISIS = {
    "en": ("I'm really glad you told me. What you're feeling matters, and you don't have to go through this alone. "
           "I'm an AI and can't keep you safe the way a person can, so please reach out to someone right now:"),
    "zh": "谢谢你愿意告诉我。你的感受很重要，你不必独自承受这些。我是人工智能，无法像真人一样保护你的安全，请现在就联系可以帮助你的人：",
}
# when only a second stage (the classifier, an LLM check) flagged the message, nothing in it said risk in so many
# words, and a third of ordinary mid-conversation messages of the real samples are flagged so: a check-in, with the
# same resources, instead of answering as if the person had said they were at risk (unless the classifier was SURE)
CHECK_IN = {
    "en": ("I want to check in, in case any of this is heavier than it sounds: if you are having thoughts of harming "
           "yourself or you are not safe, you don't have to face it alone. I'm an AI and can't keep you safe the way a "
           "person can; these people are there to talk, any time:"),
    "zh": "我想关心一下你：如果你有伤害自己的念头，或者现在不太安全，你不必独自面对。我是人工智能，无法像真人一样保护你的安全；"
          "下面这些人随时可以和你聊聊：",
}
SECOND_STAGES = ("classifier p=", "llm-check")  # how a second stage's evidence starts (a lexicon's is a phrase)
# a classifier this sure reads the message as what people at risk say, and they get the full crisis message, not a
# check-in: "I keep thinking it would be easier for everyone if I wasn't around" (0.97). Chosen on the retired held-out
# sets, each scored by a classifier trained without it, before the held-out sets were scored for it: of the flags the
# classifier alone raised, 0.90 or more marks 510 of the 1006 cases at risk and 10 of the 151 false alarms
# (0.80: 714 and 31; 0.95: 342 and 3)
SURE = 0.90
_P = re.compile(r"classifier p=([0-9.]+)")
IMMINENT = {
    "en": "If you might act on these thoughts soon, please call your local emergency number now or go to the "
          "nearest emergency department.",
    "zh": "如果你可能很快会伤害自己，请立即拨打急救电话，或前往最近的医院急诊。",
}
# with `elevated_reply` on, the model answers an elevated message after the crisis message (unless `crisis_alone`);
# this note joins its system prompt for that turn
RISK_NOTE = {
    "en": "The person may be at risk of harming themselves or of being harmed; they have just been shown crisis "
          "resources. Listen and reflect what they feel, ask gently how safe they are right now, and encourage them "
          "to reach out to the people and services shown. Never give advice about methods, doses or diagnoses.",
    "zh": "对方可能有伤害自己或被伤害的风险，刚刚已经看到了危机求助资源。请倾听并回应对方的感受，温和地询问对方现在是否安全，"
          "鼓励对方联系身边的人和上面列出的求助渠道。不要提供任何关于方法、剂量或诊断的内容。",
}
UNSAFE = {
    "en": "I'm not able to help with that, but I'm here to listen. How are you feeling right now?",
    "zh": "这个我没办法帮你，但我会一直在这里听你说。你现在感觉怎么样？",
}


def ai_notice(lang: str = "en") -> str:
    return NOTICE.get(lang, NOTICE["en"])


@lru_cache(maxsize=8)
def _load(path: str | None) -> tuple[dict, ...]:
    text = Path(path).read_text(encoding="utf-8") if path else \
        ir.files("warmline").joinpath("data/resources.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text) or {}
    items = data.get("resources") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise ValueError(f"{path or 'resources.yaml'}: expected a top-level 'resources' list")
    for i, r in enumerate(items):
        missing = {"name", "contact", "locale", "source"} - set(r or {})
        if missing:
            raise ValueError(f"{path or 'resources.yaml'}: resource {i} lacks {', '.join(sorted(missing))}")
    return tuple(items)


def load_resources(locale: str = "en-US", path: str | None = None) -> list[dict]:
    """Resources for a locale (exact match first, then same language, then international ones)."""
    items = _load(path)
    lang = locale.split("-")[0]
    exact = [r for r in items if r["locale"] == locale]
    same = [r for r in items if r["locale"].split("-")[0] == lang and r not in exact]
    anywhere = [r for r in items if r["locale"] == "*"]
    return exact + (same if not exact else []) + anywhere


def second_stage_only(verdict: Verdict) -> bool:
    """Whether only a second stage (the classifier, an LLM check) flagged an elevated message: no phrase of the
    lexicon matched, so the person did not say they were at risk in so many words (CHECK_IN)."""
    return verdict.risk == "elevated" and bool(verdict.evidence) and \
        all(e.startswith(SECOND_STAGES) for e in verdict.evidence)


def checks_in(verdict: Verdict) -> bool:
    """Whether the crisis message opens with the check-in (CHECK_IN): a second stage alone flagged the message
    (`second_stage_only`) and the classifier, if it was one, was less than SURE of it."""
    return second_stage_only(verdict) and \
        all(float(m.group(1)) < SURE for e in verdict.evidence if (m := _P.match(e)))


def crisis_message(verdict: Verdict, locale: str | None = None, path: str | None = None) -> str:
    lang = verdict.lang if verdict.lang in CRISIS else "en"
    locale = locale or ("zh-CN" if lang == "zh" else "en-US")
    lines = [(CHECK_IN if checks_in(verdict) else CRISIS)[lang]]
    for r in load_resources(locale, path):
        lines.append(f"  - {r['name']}: {r['contact']}" + (f" ({r['url']})" if r.get("url") and r["url"] not in r["contact"] else ""))
    if verdict.risk == "imminent":
        lines.append(IMMINENT[lang])
    return "\n".join(lines)


# risk the model never answers, even with `elevated_reply` on: imminent risk, and any message about means or
# asking for them ("tell me the lethal dose", "吃多少片安眠药会死"), where a model's reply could only tempt it to
# give what the reply screen must then catch
STOPS_GENERATION = ("plan_or_means", "method_request")


def crisis_alone(verdict: Verdict, elevated_reply: bool = False) -> bool:
    """Whether the crisis message is the whole answer, the model not called: any risk with `elevated_reply`
    off (the default); with it on, imminent risk and messages about means (STOPS_GENERATION)."""
    if not verdict.flagged:
        return False
    return (not elevated_reply or verdict.risk == "imminent"
            or any(c in STOPS_GENERATION for c in verdict.categories))


def unsafe_reply_message(lang: str = "en") -> str:
    return UNSAFE.get(lang, UNSAFE["en"])


def with_risk_note(messages: list[dict], lang: str = "en") -> list[dict]:
    """The messages with RISK_NOTE added to the system prompt (or as one, when there is none)."""
    note = RISK_NOTE.get(lang, RISK_NOTE["en"])
    if messages and messages[0]["role"] == "system":
        return [{**messages[0], "content": f"{messages[0]['content']}\n\n{note}"}] + messages[1:]
    return [{"role": "system", "content": note}] + messages
