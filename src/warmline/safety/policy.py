"""What the safety layer says: the AI notice, the crisis message with resources for a locale, the note the
model gets when it may answer an elevated message (`elevated_reply`, off by default), when the crisis message
is the whole answer (`crisis_alone`), and the replacement for an unsafe model
reply."""

from __future__ import annotations

import dataclasses
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
    "en": (
        "I'm really glad you told me. What you're feeling matters, and you don't have to go through this alone. "
        "I'm an AI and can't keep you safe the way a person can, so please reach out to someone right now:"
    ),
    "zh": "谢谢你愿意告诉我。你的感受很重要，你不必独自承受这些。我是人工智能，无法像真人一样保护你的安全，请现在就联系可以帮助你的人：",
}
# when only a second stage (the classifier, an LLM check) flagged the message, nothing in it said risk in so many
# words, and ordinary messages are flagged so too: a check-in, with the same resources, instead of answering as
# if the person had said they were at risk (unless the classifier was sure: `Verdict.sure`)
CHECK_IN = {
    "en": (
        "I want to check in, in case any of this is heavier than it sounds: if you are having thoughts of harming "
        "yourself or you are not safe, you don't have to face it alone. I'm an AI and can't keep you safe the way a "
        "person can; these people are there to talk, any time:"
    ),
    "zh": "我想关心一下你：如果你有伤害自己的念头，或者现在不太安全，你不必独自面对。我是人工智能，无法像真人一样保护你的安全；"
    "下面这些人随时可以和你聊聊：",
}
# the stages that read what has no risk phrase (a lexicon match or the conversation's context says it in words)
SECOND_STAGES = ("classifier", "llm")
# what the person gets (`decide`): the model's reply; the full crisis message alone; the check-in alone; the
# crisis message and then the model's reply (`elevated_reply`); the model's reply with a gentle check-in woven in
# (`woven_check_in`, for a capable model)
ANSWERS = ("reply", "crisis", "check-in", "crisis+reply", "woven-check-in")
IMMINENT = {
    "en": "If you might act on these thoughts soon, please call your local emergency number now or go to the "
    "nearest emergency department.",
    "zh": "如果你可能很快会伤害自己，请立即拨打急救电话，或前往最近的医院急诊。",
}
# with `woven_check_in` on, a message only the classifier flagged is answered by the model with this note in its
# system prompt, and no canned message
CHECK_IN_NOTE = {
    "en": "Something in the person's message may hint that they are carrying more than they say, possibly thoughts "
    "of harming themselves. Answer what they wrote with warmth, and somewhere in your reply ask gently, in your "
    "own words, whether they are safe and whether they have had thoughts of hurting themselves; say that help "
    "is there if they need it. Do not assume they are at risk. Never give advice about methods, doses or "
    "diagnoses.",
    "zh": "对方的话里可能隐约透露出比说出来更沉重的东西，也许有伤害自己的念头。请温暖地回应对方写的内容，并在回复中用你自己的话温和地"
    "问一问对方现在是否安全、有没有想过伤害自己，告诉对方需要时可以寻求帮助。不要认定对方有危险。不要提供任何关于方法、剂量或诊断的内容。",
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
    text = (
        Path(path).read_text(encoding="utf-8")
        if path
        else ir.files("warmline").joinpath("data/resources.yaml").read_text(encoding="utf-8")
    )
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
    return verdict.risk == "elevated" and verdict.stage in SECOND_STAGES


def checks_in(verdict: Verdict) -> bool:
    """Whether the crisis message opens with the check-in (CHECK_IN): a second stage alone flagged the message
    (`second_stage_only`) and the classifier, if it was that stage, was not sure of it (`Verdict.sure`)."""
    return second_stage_only(verdict) and not (verdict.stage == "classifier" and verdict.sure)


def decide(verdict: Verdict, elevated_reply: bool = False, woven_check_in: bool = False) -> Verdict:
    """The verdict with `answer` set (ANSWERS), from its fields only. Nothing flagged: the reply. With
    `woven_check_in` (for a capable serving model), a message only the classifier flagged gets the model's reply
    with CHECK_IN_NOTE, screened like every reply. Otherwise `crisis_alone` decides between the crisis message
    (or the check-in, `checks_in`) alone and the crisis message followed by the model's reply."""
    if not verdict.flagged:
        answer = "reply"
    elif woven_check_in and verdict.risk == "elevated" and verdict.stage == "classifier":
        answer = "woven-check-in"
    elif not elevated_reply or verdict.risk == "imminent" or any(c in STOPS_GENERATION for c in verdict.categories):
        answer = "check-in" if checks_in(verdict) else "crisis"
    else:
        answer = "crisis+reply"
    return dataclasses.replace(verdict, answer=answer)


def crisis_message(verdict: Verdict, locale: str | None = None, path: str | None = None) -> str:
    lang = verdict.lang if verdict.lang in CRISIS else "en"
    locale = locale or ("zh-CN" if lang == "zh" else "en-US")
    lines = [(CHECK_IN if checks_in(verdict) else CRISIS)[lang]]
    for r in load_resources(locale, path):
        lines.append(
            f"  - {r['name']}: {r['contact']}"
            + (f" ({r['url']})" if r.get("url") and r["url"] not in r["contact"] else "")
        )
    if verdict.risk == "imminent":
        lines.append(IMMINENT[lang])
    return "\n".join(lines)


# risk the model never answers, even with `elevated_reply` on: imminent risk, and any message about means or
# asking for them ("tell me the lethal dose", "吃多少片安眠药会死"), where a model's reply could only tempt it to
# give what the reply screen must then catch
STOPS_GENERATION = ("plan_or_means", "method_request")


def crisis_alone(verdict: Verdict, elevated_reply: bool = False, woven_check_in: bool = False) -> bool:
    """Whether the crisis message (or the check-in) is the whole answer, the model not called (`decide`): any
    risk with `elevated_reply` off (the default); with it on, imminent risk and messages about means
    (STOPS_GENERATION); never a message only the classifier flagged with `woven_check_in` on."""
    return decide(verdict, elevated_reply, woven_check_in).answer in ("crisis", "check-in")


def risk_note(verdict: Verdict, messages: list[dict]) -> list[dict]:
    """The messages the model gets for a flagged message it answers (`decide`): with CHECK_IN_NOTE for a woven
    check-in, RISK_NOTE after the crisis message; unchanged otherwise."""
    if verdict.answer == "woven-check-in":
        return with_risk_note(messages, verdict.lang, CHECK_IN_NOTE)
    return with_risk_note(messages, verdict.lang) if verdict.flagged else messages


def unsafe_reply_message(lang: str = "en") -> str:
    return UNSAFE.get(lang, UNSAFE["en"])


def with_risk_note(messages: list[dict], lang: str = "en", notes: dict | None = None) -> list[dict]:
    """The messages with RISK_NOTE (or `notes`) added to the system prompt (or as one, when there is none)."""
    notes = notes or RISK_NOTE
    note = notes.get(lang, notes["en"])
    if messages and messages[0]["role"] == "system":
        return [{**messages[0], "content": f"{messages[0]['content']}\n\n{note}"}] + messages[1:]
    return [{"role": "system", "content": note}] + messages
