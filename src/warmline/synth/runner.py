"""The synthesis runner: plan one job per (source item, sample), render the method's prompt, call any
backend concurrently, check the reply, regenerate failures, and append each finished item exactly once.

Resumable and exactly-once: OUT (accepted dialogues) and OUT.rejected.jsonl (items that failed every
attempt) are append-only JSONL written one complete line per write and flushed; each line carries the
item's stable key (source id, method, prompt version, sample index). On restart a partial last line
left by a kill is cut, every key already present is skipped, and the rest are generated. Input is
streamed: jobs are produced into a bounded queue, so a million-item input is never held in memory.
"""

from __future__ import annotations

import asyncio
import re
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import resources as ir
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from .. import formats
from ..backends.base import BackendError, ChatBackend, GenerationOptions
from ..conversation import Dialogue, JsonlWriter, read_jsonl_dicts
from ..formats import Bad
from ..privacy import scrub
from .checks import FilterConfig, check, parse_turns
from .clean import CleaningConfig, clean_pair
from .prompts import RULES, Template, draw_topic, load_template


class SynthOptions(BaseModel):
    """Everything a synthesis run is configured by; unknown keys are refused."""

    model_config = ConfigDict(extra="forbid")

    method: str
    lang: str | None = None  # default: each item's own language
    samples: int = Field(1, ge=1)
    max_retries: int = Field(2, ge=0, description="regenerations of an item that fails the checks")
    concurrency: int = Field(8, ge=1)
    limit: int | None = Field(None, ge=1, description="use only the first N input items")
    seed: int = 0
    temperature: float = 1.0  # SMILE generated with temperature 1.0 and top_p 1.0
    top_p: float = 1.0
    max_new_tokens: int = 2048
    prompt_file: str | None = None
    cleaning_file: str | None = None
    filters_file: str | None = None
    safety_action: str | None = None
    prices_file: str | None = None
    audit: str | None = None
    input_format: str | None = None


@dataclass
class Job:
    key: str
    source: Dialogue
    sample: int
    lang: str
    tpl: Template
    prompt: str
    seed: int
    truncated: bool = False
    topic: str | None = None
    question: str = ""
    answer: str = ""


@dataclass
class SynthSummary:
    planned: int = 0
    skipped_done: int = 0
    input_bad: int = 0
    accepted: int = 0
    rejected: int = 0
    attempts: int = 0
    retried: int = 0
    http_retries: int = 0
    truncated: int = 0
    reasons: Counter = field(default_factory=Counter)
    flags: Counter = field(default_factory=Counter)
    scrubbed: Counter = field(default_factory=Counter)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None
    seconds: float = 0.0
    paths: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {k: (dict(v.most_common()) if isinstance(v, Counter) else v) for k, v in self.__dict__.items()}


def output_paths(out: Path) -> dict[str, Path]:
    base = out.with_suffix("") if out.suffix else out
    return {
        "accepted": out,
        "rejected": base.parent / f"{base.name}.rejected.jsonl",
        "quarantine": base.parent / f"{base.name}.quarantine.jsonl",
    }


def done_keys(paths: dict[str, Path]) -> set[str]:
    """Keys of items already finished (accepted or rejected), after cutting a partial last line."""
    keys: set[str] = set()
    for name in ("accepted", "rejected"):
        p = paths[name]
        if not p.exists():
            continue
        for rec in read_jsonl_dicts(p):
            keys.add(rec["meta"]["key"] if name == "accepted" else rec["key"])
    return keys


# -- planning ---------------------------------------------------------------------------------------


def plan(inp: Path, opts: SynthOptions) -> Iterator[Job | Bad]:
    """Jobs for every input item and sample, in input order; input records that cannot be used are Bad."""
    rules = RULES.get(opts.method)
    if rules is None and not opts.prompt_file:
        raise ValueError(f"unknown method {opts.method!r}; choose standard, standardT, smile or soulchat")
    rules = rules or RULES["smile"]
    cleaning = CleaningConfig.load(opts.cleaning_file)
    n = 0
    for item in formats.read(inp, opts.input_format):
        if opts.limit is not None and n >= opts.limit:
            return
        n += 1
        if isinstance(item, Bad):
            yield item
            continue
        lang = opts.lang or item.lang
        tpl = load_template(opts.method, lang, opts.prompt_file)
        question = answer = ""
        truncated = False
        if rules.needs_source:
            pair = _single_turn(item)
            if pair is None:
                yield Bad(
                    str(inp),
                    None,
                    n - 1,
                    f"{item.id}: {opts.method} rewrites single-turn Q&A (one client "
                    f"turn, one counselor turn); this item has {len(item.turns)} turns",
                    item.to_dict(),
                )
                continue
            question, answer, truncated = clean_pair(*pair, cleaning)
        for sample in range(opts.samples):
            key = f"{item.id}|{opts.method}|{tpl.version}|{sample}"
            topic = draw_topic(key, lang, opts.seed) if "{topic}" in tpl.body else None
            seed = (opts.seed * 1_000_003 + zlib.crc32(key.encode())) % (2**31)
            yield Job(
                key,
                item,
                sample,
                lang,
                tpl,
                tpl.render(question, answer, topic or ""),
                seed,
                truncated,
                topic,
                question,
                answer,
            )


def _single_turn(d: Dialogue) -> tuple[str, str] | None:
    turns = [t for t in d.turns if t.role != "system"]
    if len(turns) == 2 and turns[0].role == "client" and turns[1].role == "counselor":
        return turns[0].text, turns[1].text
    return None


# -- tokens and cost ---------------------------------------------------------------------------------

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[A-Za-z0-9]+")


def estimate_tokens(text: str) -> int:
    """A rough token estimate with no tokenizer: one per CJK character, 1.3 per word, 0.5 per other
    symbol. Within about 30% for common BPE tokenizers; used only for --dry-run and missing usage."""
    cjk = len(_CJK.findall(text))
    words = len(_WORD.findall(text))
    other = len(text) - cjk - sum(len(w) for w in _WORD.findall(text)) - text.count(" ") - text.count("\n")
    return int(cjk + 1.3 * words + 0.5 * max(0, other)) + 1


def estimate_output_tokens(job: Job) -> int:
    base = 1.3 * estimate_tokens(job.question + job.answer) + 150 if job.question else 700
    return int(base + (300 if job.tpl.marker else 0))


def load_prices(path: str | None = None) -> dict:
    text = (
        Path(path).read_text(encoding="utf-8")
        if path
        else ir.files("warmline").joinpath("data/synth/prices.yaml").read_text(encoding="utf-8")
    )
    return (yaml.safe_load(text) or {}).get("models", {})


def cost(model: str, prompt_tokens: int, completion_tokens: int, prices: dict) -> float | None:
    p = prices.get(model) or prices.get(model.split("/")[-1])
    if not p:
        return None
    return (prompt_tokens * p["input"] + completion_tokens * p["output"]) / 1e6


def dry_run(inp: Path, out: Path, opts: SynthOptions, model: str) -> dict:
    """What the job would cost: the first rendered prompt and totals for the items not yet done."""
    done = done_keys(output_paths(out))
    first, jobs, bad, tin, tout = None, 0, 0, 0, 0
    for job in plan(inp, opts):
        if isinstance(job, Bad):
            bad += 1
            continue
        if job.key in done:
            continue
        first = first or job
        jobs += 1
        tin += estimate_tokens(job.prompt)
        tout += estimate_output_tokens(job)
    return {
        "first_prompt": first.prompt if first else None,
        "first_key": first.key if first else None,
        "jobs": jobs,
        "already_done": len(done),
        "input_bad": bad,
        "est_prompt_tokens": tin,
        "est_completion_tokens": tout,
        "est_cost_usd": cost(model, tin, tout, load_prices(opts.prices_file)),
        "model": model,
    }


# -- running -----------------------------------------------------------------------------------------


class _Run:
    def __init__(self, out: Path, backend: ChatBackend, opts: SynthOptions, on_progress: Callable | None):
        self.opts = opts
        self.backend = backend
        self.rules = RULES.get(opts.method, RULES["smile"])
        self.filters = FilterConfig.load(opts.filters_file, opts.safety_action)
        self.gen = GenerationOptions(temperature=opts.temperature, top_p=opts.top_p, max_new_tokens=opts.max_new_tokens)
        self.paths = output_paths(out)
        self.summary = SynthSummary(paths={k: str(v) for k, v in self.paths.items()})
        self.on_progress = on_progress
        self.accepted = JsonlWriter(self.paths["accepted"], append=True)
        self.rejected = JsonlWriter(self.paths["rejected"], append=True)
        self.quarantine: JsonlWriter | None = None
        self.audit = JsonlWriter(opts.audit, append=True) if opts.audit else None

    def close(self) -> None:
        for w in (self.accepted, self.rejected, self.quarantine, self.audit):
            if w is not None:
                w.close()

    def bad_input(self, bad: Bad) -> None:
        if self.quarantine is None:
            self.quarantine = JsonlWriter(self.paths["quarantine"], append=True)
        self.quarantine.write(bad.to_dict())
        self.summary.input_bad += 1

    async def work(self, job: Job) -> None:
        s = self.summary
        attempts: list[dict] = []
        for a in range(self.opts.max_retries + 1):
            s.attempts += 1
            if a:
                s.retried += 1
            options = self.gen.model_copy(update={"seed": job.seed + a})
            try:
                reply = await self.backend.agenerate([{"role": "user", "content": job.prompt}], options)
            except BackendError as e:
                attempts.append({"attempt": a, "reasons": ["backend_error"], "error": str(e)[:300]})
                s.reasons["backend_error"] += 1
                continue
            s.prompt_tokens += reply.prompt_tokens if reply.prompt_tokens is not None else estimate_tokens(job.prompt)
            s.completion_tokens += (
                reply.completion_tokens if reply.completion_tokens is not None else estimate_tokens(reply.text)
            )
            if self.audit:
                self.audit.write(
                    {
                        "key": job.key,
                        "attempt": a,
                        "seed": options.seed,
                        "model": reply.model,
                        "finish_reason": reply.finish_reason,
                        "raw": reply.text,
                    }
                )
            turns, reasons = parse_turns(reply.text, job.tpl)
            more, flags = check(turns, self.rules, job.lang, self.filters)
            reasons = list(dict.fromkeys(reasons + more))
            attempts.append({"attempt": a, "reasons": reasons})
            s.reasons.update(reasons)
            if not reasons:
                scrubbed = scrub(turns, job.lang)
                s.scrubbed.update(scrubbed)
                s.flags.update(f.split("@")[0] for f in flags)
                self.accepted.write(self._dialogue(job, turns, flags, a + 1, options.seed, reply.model, scrubbed))
                s.accepted += 1
                return
        self.rejected.write(
            {
                "key": job.key,
                "source_id": job.source.id,
                "method": self.opts.method,
                "prompt": job.tpl.prompt_id,
                "attempts": attempts,
            }
        )
        s.rejected += 1

    def _dialogue(self, job: Job, turns, flags, attempts, seed, model, scrubbed) -> Dialogue:
        labels = dict(job.source.labels)
        if job.topic:
            labels["topic"] = job.topic
        prov = {
            "source": job.source.provenance.get("source"),
            "source_id": job.source.id,
            "source_group": job.source.provenance.get("source_id"),
            "license": job.source.provenance.get("license"),
            "generator": model or self.backend.model_id,
            "method": self.opts.method,
            "prompt": job.tpl.name,
            "prompt_version": job.tpl.version,
            "seed": seed,
            "temperature": self.opts.temperature,
            "top_p": self.opts.top_p,
        }
        meta = {"key": job.key, "sample": job.sample, "attempts": attempts}
        if job.question:
            meta["source_qa"] = {"question": job.question, "answer": job.answer, "truncated": job.truncated}
        if scrubbed:
            meta["scrubbed"] = dict(scrubbed)
        return Dialogue(
            f"{self.opts.method}-{job.source.id}-{job.sample}",
            job.lang,
            turns,
            labels,
            {k: v for k, v in prov.items() if v is not None},
            meta,
            flags,
        )


async def arun(
    inp: Path,
    out: Path,
    backend: ChatBackend,
    opts: SynthOptions,
    on_progress: Callable[[SynthSummary, int], None] | None = None,
) -> SynthSummary:
    """Run (or resume) a synthesis job. `on_progress(summary, finished)` is called after each item."""
    t0 = time.perf_counter()
    done = done_keys(output_paths(out))
    run = _Run(out, backend, opts, on_progress)
    s = run.summary
    queue: asyncio.Queue = asyncio.Queue(maxsize=opts.concurrency * 2)
    finished = 0

    async def produce() -> None:
        nonlocal finished
        try:
            for job in plan(inp, opts):
                if isinstance(job, Bad):
                    run.bad_input(job)
                    continue
                s.planned += 1
                if job.key in done:  # finished in an earlier run, or a duplicate id in the input
                    s.skipped_done += 1
                    finished += 1
                    if on_progress:
                        on_progress(s, finished)
                    continue
                s.truncated += job.truncated
                done.add(job.key)
                await queue.put(job)
        finally:
            for _ in range(opts.concurrency):
                await queue.put(None)

    async def consume() -> None:
        nonlocal finished
        while (job := await queue.get()) is not None:
            await run.work(job)
            s.http_retries = getattr(backend, "retries", 0)
            finished += 1
            if on_progress:
                on_progress(s, finished)

    try:
        await asyncio.gather(produce(), *(consume() for _ in range(opts.concurrency)))
    finally:
        run.close()
        await backend.aclose()
    s.seconds = round(time.perf_counter() - t0, 2)
    s.http_retries = getattr(backend, "retries", 0)
    s.cost_usd = cost(backend.model_id, s.prompt_tokens, s.completion_tokens, load_prices(opts.prices_file))
    return s


def count_jobs(inp: Path, opts: SynthOptions) -> int:
    """How many jobs a run plans (a streaming pass over the input), for the progress bar's total."""
    return sum(1 for j in plan(inp, opts) if not isinstance(j, Bad))


def run(
    inp: str | Path,
    out: str | Path,
    backend: ChatBackend,
    opts: SynthOptions,
    on_progress: Callable[[SynthSummary, int], None] | None = None,
) -> SynthSummary:
    return asyncio.run(arun(Path(inp), Path(out), backend, opts, on_progress))
