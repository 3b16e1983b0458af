"""Explanations and similar cases as a hook of the chat turn (`warmline.turn`): the model's messages get the
retrieved cases and the explain instruction, and the observation and reasoning are split off its reply."""

from __future__ import annotations

from dataclasses import dataclass

EXPLAIN_MODES = ("off", "cot", "prompt")


def prepare(
    messages: list[dict], lang: str, explain: str = "off", index=None, k: int = 3, exclude: str | None = None
) -> tuple[list[dict], list[str]]:
    """The messages the model sees: with similar cases from `index` and the explain instruction when on."""
    cases: list[str] = []
    if index is not None:
        from .index import with_cases

        messages, hits = with_cases(messages, index, k, lang, exclude)
        cases = [h.session["id"] for h in hits]
    if explain == "prompt":
        from .explain import with_instruction

        messages = with_instruction(messages, lang)
    return messages, cases


def finish(text: str, explain: str = "off") -> tuple[str, dict | None]:
    """(the reply alone, the explanation or None); the turn screens both."""
    if explain == "off":
        return text, None
    from .explain import split

    ex = split(text, explain)
    return ex.reply, (ex.to_dict() if (ex.observation or ex.reasoning) else None)


@dataclass
class InsightHook:
    """`explain`: off, cot (a chain-of-thought model's tags are split off) or prompt (any model is asked for
    observation, reasoning and reply as JSON); `index`: a CaseIndex whose k most similar sessions guide the reply."""

    explain: str = "off"
    index: object = None
    k: int = 3

    def __post_init__(self):
        if self.explain not in EXPLAIN_MODES:
            raise ValueError(f"explain must be off, cot or prompt, not {self.explain!r}")

    @property
    def whole_reply(self) -> bool:
        return self.explain != "off"

    def prepare(self, messages: list[dict], lang: str) -> tuple[list[dict], list[str]]:
        return prepare(messages, lang, self.explain, self.index, self.k)

    def finish(self, text: str, lang: str) -> tuple[str, dict | None]:
        return finish(text, self.explain)


def insight_hook(explain: str = "off", index=None, k: int = 3) -> InsightHook | None:
    """The hook, or None when neither explanations nor cases are on."""
    return InsightHook(explain, index, k) if explain != "off" or index is not None else None
