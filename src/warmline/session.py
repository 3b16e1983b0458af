"""A chat session: history, system prompt and generation options, with every user message and every
model reply passed through the safety layer. The terminal chat uses it; nothing reaches a person
without it."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources as ir

from .backends.base import ChatBackend, GenerationOptions
from .safety import Screener, Verdict, ai_notice, crisis_message, screen_reply, unsafe_reply_message


def default_system_prompt(lang: str = "en") -> str:
    name = "system_zh.txt" if lang == "zh" else "system_en.txt"
    return ir.files("warmline").joinpath(f"data/prompts/{name}").read_text(encoding="utf-8").strip()


@dataclass
class Turnout:
    """What one exchange produced: the text shown, and the safety verdicts on both sides."""

    text: str
    user_verdict: Verdict
    reply_verdict: Verdict | None = None
    replaced: bool = False

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

    def notice(self) -> str:
        return ai_notice(self.lang)

    def messages(self) -> list[dict]:
        system = [{"role": "system", "content": self.system_prompt}] if self.system_prompt else []
        return system + self.history

    def send(self, text: str) -> Turnout:
        """Screen the message; on risk answer with the crisis message instead of the model; otherwise
        generate, screen the reply, and replace it when it is unsafe."""
        verdict = self.screener(text)
        self.history.append({"role": "user", "content": text})
        if verdict.flagged:
            reply = crisis_message(verdict, self.locale)
            self.history.append({"role": "assistant", "content": reply})
            return Turnout(reply, verdict)
        reply = self.backend.generate(self.messages(), self.options).text
        out_verdict = screen_reply(reply, verdict.lang)
        replaced = out_verdict.flagged
        if replaced:
            reply = unsafe_reply_message(verdict.lang)
        self.history.append({"role": "assistant", "content": reply})
        return Turnout(reply, verdict, out_verdict, replaced)

    def reset(self) -> None:
        self.history.clear()
