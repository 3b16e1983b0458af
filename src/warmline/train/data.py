"""Training data: records from build-sft (or dialogues) to chat messages, and messages to token ids
with labels that keep the loss on counselor tokens only, for any chat template.

The mask is found by rendering the conversation with the tokenizer's chat template, locating each
assistant message's text in the rendered string (plus the end-of-turn token that follows it, so the
model learns to stop), and mapping those character spans to tokens through the tokenizer's offsets.
This needs no `{% generation %}` markers in the template."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from .. import formats, jsonio
from .samples import render, split_dialogue

IGNORE = -100


def load_messages(path: str | Path, system_prompt: str | None = None) -> Iterator[list[dict]]:
    """Chat messages per training example from JSONL: OpenAI `messages`, SoulChat/cot `input`+`target`,
    or warmline dialogues (split into per-turn samples with the counselor system prompt)."""
    path = Path(path)
    with path.open("rb") as f:
        first = next((line for line in f if line.strip()), b"")
    rec = jsonio.loads(first) if first else {}
    if "turns" in rec or "messages" not in rec and "input" not in rec:
        for d in formats.read_dialogues(path):
            for s in split_dialogue(d):
                yield render(s, "openai", system_prompt)["messages"]
        return
    with path.open("rb") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            rec = jsonio.loads(line)
            if "messages" in rec:
                yield rec["messages"]
            elif "input" in rec and "target" in rec:
                msgs = [{"role": "system", "content": system_prompt}] if system_prompt else []
                yield msgs + [
                    {"role": "user", "content": rec["input"]},
                    {"role": "assistant", "content": rec["target"]},
                ]
            else:
                raise ValueError(f"{path}:{lineno}: a training record needs 'messages' or 'input' and 'target'")


def assistant_spans(
    rendered: str, messages: list[dict], eos: str | None, loss_on: str = "last"
) -> list[tuple[int, int]]:
    """Character spans of assistant contents in the rendered conversation, with the end-of-turn token
    and the newline the template puts after it."""
    spans, cursor = [], 0
    for m in messages:
        content = m["content"].strip()
        if not content:
            continue
        at = rendered.find(content, cursor)
        if at < 0:
            raise ValueError(f"the chat template changed a message so that it cannot be found: {content[:60]!r}")
        end = at + len(content)
        if m["role"] == "assistant":
            if eos and rendered.startswith(eos, end):
                end += len(eos)
                while end < len(rendered) and rendered[end] in "\r\n":  # the template's end-of-turn newline,
                    end += 1  # as TRL's prompt-completion masking counts it
            spans.append((at, end))
        cursor = at + len(content)
    return spans[-1:] if loss_on == "last" else spans


def encode(messages: list[dict], tok, max_length: int, loss_on: str = "last") -> dict | None:
    """input_ids and labels (IGNORE outside counselor spans). Too-long examples lose whole oldest
    exchanges first, then tokens from the left; the target is always kept. None when nothing is left
    to learn from."""
    msgs = list(messages)
    while True:
        rendered = tok.apply_chat_template(msgs, tokenize=False)
        enc = tok(rendered, add_special_tokens=False, return_offsets_mapping=True)
        ids = enc["input_ids"]
        if len(ids) <= max_length or not _drop_oldest(msgs):
            break
    spans = assistant_spans(rendered, msgs, tok.eos_token, loss_on)
    labels = [IGNORE] * len(ids)
    k = 0
    for i, (a, b) in enumerate(enc["offset_mapping"]):
        while k < len(spans) and spans[k][1] <= a:
            k += 1
        if k < len(spans) and a < spans[k][1] and b > spans[k][0]:
            labels[i] = ids[i]
    if len(ids) > max_length:
        ids, labels = ids[-max_length:], labels[-max_length:]
    if all(x == IGNORE for x in labels):
        return None
    return {"input_ids": ids, "labels": labels}


def _drop_oldest(msgs: list[dict]) -> bool:
    """Remove the oldest exchange (a user turn and what follows up to the next user turn), keeping the
    system prompt and the last user turn with its reply. False when nothing can be dropped."""
    body = [i for i, m in enumerate(msgs) if m["role"] != "system"]
    if len(body) <= 2:
        return False
    first = body[0]
    del msgs[first]
    while first < len(msgs) - 2 and msgs[first]["role"] == "assistant":
        del msgs[first]
    return True


def collate(batch: list[dict], pad_id: int) -> dict:
    import torch

    width = max(len(b["input_ids"]) for b in batch)
    ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
    labels = torch.full((len(batch), width), IGNORE, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for i, b in enumerate(batch):
        n = len(b["input_ids"])
        ids[i, :n] = torch.tensor(b["input_ids"])
        labels[i, :n] = torch.tensor(b["labels"])
        mask[i, :n] = 1
    return {"input_ids": ids, "labels": labels, "attention_mask": mask}
