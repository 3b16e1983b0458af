"""Generation for evaluation: test samples (history and reference reply) from build-sft or any dialogue
format, replies from any backend (batched locally, concurrent over HTTP), resumable like synthesis:
each reply is appended to OUTPUT/replies.NAME.jsonl with the sample id, and ids already there are
skipped. Every replies file in the directory is one system, scored and compared together."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from . import formats, jsonio
from .backends.base import ChatBackend, GenerationOptions
from .conversation import JsonlWriter, repair_partial_tail
from .evaluate.inputs import replies_path
from .replies import split_cot
from .train.samples import SYSTEM_PROMPT, render, split_dialogue


@dataclass
class TestItem:
    id: str
    messages: list[dict]  # what the model sees
    reference: str
    lang: str = "en"


def load_items(path: str | Path, system: str | None = None, limit: int | None = None) -> Iterator[TestItem]:
    """Test items from build-sft output (openai `messages`, or `input`/`target`) or from dialogues (one
    item per counselor turn, with its history)."""
    from .conversation import detect_lang

    path = Path(path)
    n = 0
    with path.open("rb") as f:
        first = next((line for line in f if line.strip()), b"")
    rec = jsonio.loads(first) if first.strip().startswith(b"{") else {}
    if "messages" in rec or "input" in rec:
        with path.open("rb") as f:
            for lineno, line in enumerate(f, 1):
                if not line.strip():
                    continue
                if limit is not None and n >= limit:
                    return
                r = jsonio.loads(line)
                if "messages" in r:
                    msgs = r["messages"]
                    if not msgs or msgs[-1]["role"] != "assistant":
                        raise ValueError(f"{path}:{lineno}: the last message must be the reference reply")
                    ref, ctx = msgs[-1]["content"], msgs[:-1]
                else:
                    ref = r["target"]
                    ctx = ([{"role": "system", "content": system}] if system else []) + [
                        {"role": "user", "content": r["input"]}
                    ]
                n += 1
                yield TestItem(str(r.get("id", f"{path.stem}-{lineno}")), ctx, split_cot(ref)[2], detect_lang(ref))
        return
    for d in formats.read_dialogues(path):
        for s in split_dialogue(d):
            if limit is not None and n >= limit:
                return
            msgs = render(s, "openai", system if system is not None else SYSTEM_PROMPT[s.lang])["messages"]
            n += 1
            yield TestItem(s.id, msgs[:-1], s.target.text, s.lang)


def generate(
    items: list[TestItem],
    backend: ChatBackend,
    out: Path,
    name: str,
    options: GenerationOptions,
    concurrency: int = 8,
    batch_size: int = 4,
    on_progress: Callable[[int], None] | None = None,
    explain: str = "off",
    index=None,
    k: int = 3,
) -> Path:
    """Append a reply for every item not yet answered; returns the replies file. `explain` and `index`
    prepare the messages as chat and serve do (explain instruction, similar cases; an item's own
    dialogue is never retrieved); only the reply is scored."""
    if explain != "off" or index is not None:
        from .insight.hook import prepare

        items = [
            TestItem(
                it.id, prepare(it.messages, it.lang, explain, index, k, dialogue_of(it.id))[0], it.reference, it.lang
            )
            for it in items
        ]
    path = replies_path(out, name)
    out.mkdir(parents=True, exist_ok=True)
    done: set[str] = set()
    if path.exists():
        repair_partial_tail(path)
        with path.open("rb") as f:
            done = {jsonio.loads(line)["id"] for line in f if line.strip()}
    todo = [it for it in items if it.id not in done]
    with JsonlWriter(path, append=True) as w:
        if getattr(backend, "supports_batching", False) and backend.name == "local":
            for i in range(0, len(todo), batch_size):
                chunk = todo[i : i + batch_size]
                for it, rep in zip(chunk, backend.generate_batch([it.messages for it in chunk], options)):
                    w.write(_record(it, rep, name, explain))
                if on_progress:
                    on_progress(len(chunk))
        else:

            async def run() -> None:
                sem = asyncio.Semaphore(concurrency)

                async def one(it: TestItem) -> None:
                    async with sem:
                        rep = await backend.agenerate(it.messages, options)
                    w.write(_record(it, rep, name, explain))
                    if on_progress:
                        on_progress(1)

                try:
                    await asyncio.gather(*(one(it) for it in todo))
                finally:
                    await backend.aclose()

            asyncio.run(run())
    return path


def dialogue_of(item_id: str) -> str:
    """The dialogue a test item came from: samples are named DIALOGUE#TURN."""
    return item_id.rsplit("#", 1)[0]


def _record(it: TestItem, rep, name: str, explain: str = "off") -> dict:
    if explain == "prompt":
        from .insight.explain import split

        ex = split(rep.text, "prompt")
        obs, reasoning, reply = ex.observation, ex.reasoning, ex.reply
    else:
        obs, reasoning, reply = split_cot(rep.text)  # a chain-of-thought model: only the reply is scored
    rec = {
        "id": it.id,
        "system": name,
        "reply": reply,
        "reference": it.reference,
        "model": rep.model,
        "lang": it.lang,
        "context": [m for m in it.messages if m["role"] != "system"],
    }
    if obs or reasoning:
        rec["explanation"] = {"observation": obs, "reasoning": reasoning}
    return rec
