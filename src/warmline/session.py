"""A chat session: history, system prompt and generation options, with every user message and every
model reply passed through the safety layer. The terminal chat uses it; nothing reaches a person
without it."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources as ir

from .backends.base import ChatBackend, GenerationOptions
from .safety import (Screener, Verdict, ai_notice, crisis_alone, crisis_message, decide, risk_note, screen_reply,
                     unsafe_reply_message)


def default_system_prompt(lang: str = "en") -> str:
    name = "system_zh.txt" if lang == "zh" else "system_en.txt"
    return ir.files("warmline").joinpath(f"data/prompts/{name}").read_text(encoding="utf-8").strip()


def prepare(messages: list[dict], lang: str, explain: str = "off", index=None, k: int = 3,
            exclude: str | None = None) -> tuple[list[dict], list[str]]:
    """The messages the model sees: with similar cases from `index` and the explain instruction when on."""
    cases: list[str] = []
    if index is not None:
        from .insight.index import with_cases

        messages, hits = with_cases(messages, index, k, lang, exclude)
        cases = [h.session["id"] for h in hits]
    if explain == "prompt":
        from .insight.explain import with_instruction

        messages = with_instruction(messages, lang)
    return messages, cases


def finish(text: str, explain: str = "off", lang: str = "en") -> tuple[str, dict | None]:
    """(the reply alone, the explanation or None). An explanation that the safety screen flags is
    dropped; the reply is screened by the caller."""
    if explain == "off":
        return text, None
    from .insight.explain import split

    ex = split(text, explain)
    explanation = ex.to_dict() if (ex.observation or ex.reasoning) else None
    if explanation and screen_reply(ex.observation + "\n" + ex.reasoning, lang).flagged:
        explanation = None
    return ex.reply, explanation


@dataclass
class Turnout:
    """What one exchange produced: the text shown, and the safety verdicts on both sides."""

    text: str
    user_verdict: Verdict
    reply_verdict: Verdict | None = None
    replaced: bool = False
    explanation: dict | None = None  # observation and reasoning, for the operator and the web page
    cases: list[str] = field(default_factory=list)  # ids of the retrieved similar sessions

    @property
    def crisis(self) -> bool:
        return self.user_verdict.flagged


@dataclass
class ChatSession:
    backend: ChatBackend
    options: GenerationOptions
    system_prompt: str | None = None
    lang: str = "en"
    locale: str | None = None
    history: list[dict] = field(default_factory=list)
    screener: Screener = field(default_factory=Screener)
    explain: str = "off"  # off, cot (a chain-of-thought model) or prompt (ask any model for JSON)
    index: object = None  # a warmline.insight.index.CaseIndex: similar cases guide the reply
    k: int = 3
    # off (the default): any risk is answered with the crisis message alone. On: an elevated message gets the
    # crisis message and then the model's reply (told of the risk, screened as always); imminent risk and messages
    # about means never reach the model (`crisis_alone`). Off by default because the embedded model's replies to
    # at-risk messages can do harm (see the README)
    elevated_reply: bool = False
    # on: a message only the classifier flagged gets the model's reply with a gentle check-in woven in (`policy.decide`);
    # off by default for the same reason
    woven_check_in: bool = False

    def notice(self) -> str:
        return ai_notice(self.lang)

    def messages(self) -> list[dict]:
        system = [{"role": "system", "content": self.system_prompt}] if self.system_prompt else []
        return system + self.history

    def send(self, text: str) -> Turnout:
        """Screen the message; on risk answer with the crisis message, followed by the model's reply unless
        `crisis_alone` (any risk with `elevated_reply` off, the default; with it on, imminent risk and means); otherwise
        generate, screen the reply, and replace it when it is unsafe. `reply_verdict` is None when the model
        was not called."""
        verdict = decide(self.screener(text, [m["content"] for m in self.history if m["role"] == "user"]),
                         self.elevated_reply, self.woven_check_in)
        self.history.append({"role": "user", "content": text})
        crisis = crisis_message(verdict, self.locale) if verdict.flagged and verdict.answer != "woven-check-in" else ""
        if crisis_alone(verdict, self.elevated_reply, self.woven_check_in):
            self.history.append({"role": "assistant", "content": crisis})
            return Turnout(crisis, verdict)
        messages, cases = prepare(self.messages(), verdict.lang, self.explain, self.index, self.k)
        if verdict.flagged:
            messages = risk_note(verdict, messages)
        reply, explanation = finish(self.backend.generate(messages, self.options).text, self.explain, verdict.lang)
        out_verdict = screen_reply(reply, verdict.lang)
        replaced = out_verdict.flagged
        if replaced:
            reply, explanation = unsafe_reply_message(verdict.lang), None
        reply = f"{crisis}\n\n{reply}" if crisis else reply
        self.history.append({"role": "assistant", "content": reply})
        return Turnout(reply, verdict, out_verdict, replaced, explanation, cases)

    def reset(self) -> None:
        self.history.clear()
