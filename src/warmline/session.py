"""A chat session: history, system prompt and generation options, each exchange one turn of `warmline.turn`
(every user message and every model reply through the safety layer). The terminal chat, simulated clients and
the quickstart use it; nothing reaches a person without it."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources as ir

from .backends.base import ChatBackend, GenerationOptions
from .safety import Screener, ai_notice
from .turn import TurnHook, Turnout, TurnPolicy, run_turn

__all__ = ["ChatSession", "Turnout", "default_system_prompt"]


def default_system_prompt(lang: str = "en") -> str:
    name = "system_zh.txt" if lang == "zh" else "system_en.txt"
    return ir.files("warmline").joinpath(f"data/prompts/{name}").read_text(encoding="utf-8").strip()


@dataclass
class ChatSession:
    backend: ChatBackend
    options: GenerationOptions
    system_prompt: str | None = None
    lang: str = "en"
    locale: str | None = None
    history: list[dict] = field(default_factory=list)
    screener: Screener = field(default_factory=Screener)
    # explanations and similar cases (warmline.insight.hook.InsightHook), or None
    hook: TurnHook | None = None
    # off (the default): any risk is answered with the crisis message alone; see TurnPolicy. Off by default because
    # the embedded model's replies to at-risk messages can do harm (see the README)
    elevated_reply: bool = False
    # on: a message only the classifier flagged gets the model's reply with a gentle check-in woven in (`policy.decide`);
    # off by default for the same reason
    woven_check_in: bool = False

    def notice(self) -> str:
        return ai_notice(self.lang)

    def send(self, text: str) -> Turnout:
        """One turn (`warmline.turn.take_turn`): the message is screened after the earlier ones; risk is answered
        with the crisis message (and, with `elevated_reply`, an elevated message then with the model's reply); an
        unsafe reply is replaced. `reply_verdict` is None when the model was not called."""
        self.history.append({"role": "user", "content": text})
        policy = TurnPolicy(self.system_prompt, self.locale, self.elevated_reply, self.woven_check_in, self.hook)
        try:
            turn = run_turn(list(self.history), policy, self.backend, self.options, self.screener)
        except BaseException:
            self.history.pop()  # a failed exchange leaves the history as it was
            raise
        self.history.append({"role": "assistant", "content": turn.text})
        return turn

    def reset(self) -> None:
        self.history.clear()
