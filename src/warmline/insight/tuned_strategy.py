"""Strategy labels of counselor turns from a LoRA-tuned sentence encoder (`warmline.tuned`): what the input of
one turn is (the counselor turn, and the client turn before it as context, in one text)."""

from __future__ import annotations

# the turn before is cut to its last characters: what the counselor answers is mostly at its end, and the
# counselor turn comes first so that truncation to the encoder's max_len takes context, not the turn
CONTEXT_CHARS = 300


def as_input(text: str, context: str = "", with_context: bool = True) -> str:
    """The encoder's input for a counselor turn `text` answering the client turn `context`."""
    text = " ".join(text.split())
    context = " ".join(context.split())[-CONTEXT_CHARS:]
    if not with_context or not context:
        return f"counselor: {text}"
    return f"counselor: {text}\nclient before: {context}"
