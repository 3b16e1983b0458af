"""Topic labels with an LLM from a taxonomy data file, their distribution and Shannon entropy.

Taxonomies are YAML files (`data/topics/soulchat12.yaml`, `fine60.yaml`, or your own path) with a
list of topics: key, zh and en names, definition. A dialogue gets one to three topic keys; the judge's
answer is parsed strictly (JSON, known keys only) and retried when it is not; results are appended to
a JSONL file as they come, so a killed run resumes where it stopped."""

from __future__ import annotations

import asyncio
import math
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources as ir
from pathlib import Path

import yaml

from ..conversation import JsonlWriter, read_jsonl_dicts
from ..llm_json import AskStats, UnusableAnswer, ask, json_object
from .corpus import Corpus

MAX_TOPICS = 3


@dataclass
class Taxonomy:
    """A list of labels from a data file, each a dict with at least `key` (and usually zh and en names
    and a definition): topics here, strategies, emotions and schools in warmline.insight.labels."""

    name: str
    topics: list[dict]
    source: str = ""
    applies_to: str = ""

    @property
    def keys(self) -> list[str]:
        return [t["key"] for t in self.topics]

    def label(self, key: str, lang: str = "en") -> str:
        for t in self.topics:
            if t["key"] == key:
                return t.get(lang) or t.get("en") or key
        return key


def load_keyed_list(name_or_path: str, folder: str, list_key: str, need: tuple[str, ...] = ("key",)) -> Taxonomy:
    """A YAML file (a path, or NAME.yaml in the package's data/FOLDER) holding a list under `list_key`,
    each item with the fields in `need` and a unique key."""
    path = Path(name_or_path)
    if not path.exists():
        path = Path(str(ir.files("warmline").joinpath(f"data/{folder}/{name_or_path}.yaml")))
    if not path.exists():
        raise ValueError(f"unknown {folder} file {name_or_path!r}: use one in data/{folder}/ or a YAML file path")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    items = data.get(list_key) if isinstance(data, dict) else None
    if not items or not all(isinstance(t, dict) and all(t.get(f) for f in need) for t in items):
        raise ValueError(f"{path}: needs '{list_key}', each with {', '.join(repr(f) for f in need)}")
    if len({t["key"] for t in items}) != len(items):
        raise ValueError(f"{path}: keys must be unique")
    return Taxonomy(data.get("name", path.stem), items, data.get("source", ""), data.get("applies_to", ""))


def load_taxonomy(name_or_path: str) -> Taxonomy:
    """soulchat12, fine60, or a YAML file with `topics` (key and definition each)."""
    return load_keyed_list(name_or_path, "topics", "topics", ("key", "definition"))


def topic_prompt(tax: Taxonomy, dialogue_text: str) -> str:
    lines = ["You label a counseling conversation with its topics. Topics (key: definition):"]
    lines += [f"- {t['key']}: {t.get('en', t['key'])}. {t['definition']}" for t in tax.topics]
    lines += [
        "",
        "Conversation:",
        dialogue_text,
        "",
        f"Choose 1 to {MAX_TOPICS} keys from the list, most important first. "
        'Answer with JSON only: {"topics": ["<key>", ...]}',
    ]
    return "\n".join(lines)


def parse_topics(text: str, tax: Taxonomy) -> list[str]:
    topics = json_object(text).get("topics")
    if not isinstance(topics, list) or not topics:
        raise UnusableAnswer("'topics' must be a non-empty list")
    if len(topics) > MAX_TOPICS:
        raise UnusableAnswer(f"at most {MAX_TOPICS} topics, got {len(topics)}")
    known = set(tax.keys)
    bad = [t for t in topics if t not in known]
    if bad:
        raise UnusableAnswer(f"unknown topic key(s) {bad}")
    return list(dict.fromkeys(topics))


@dataclass
class TopicResult:
    labels: dict[str, list[str]] = field(default_factory=dict)  # dialogue id -> topic keys
    failed: list[str] = field(default_factory=list)
    stats: AskStats = field(default_factory=AskStats)
    resumed: int = 0


async def label_topics(
    c: Corpus,
    backend,
    tax: Taxonomy,
    out: Path,
    max_retries: int = 2,
    concurrency: int = 8,
    max_chars: int = 2000,
    progress=None,
) -> TopicResult:
    """Label every dialogue of `c`, appending {id, topics} or {id, error} to `out`; ids already there
    with topics are not asked again."""
    res = TopicResult()
    if out.exists():
        for rec in read_jsonl_dicts(out):
            if rec.get("topics"):
                res.labels[rec["id"]] = rec["topics"]
        res.resumed = len(res.labels)
    todo = [i for i, did in enumerate(c.ids) if did not in res.labels]
    sem = asyncio.Semaphore(concurrency)
    writer = JsonlWriter(out, append=True)

    async def one(i: int) -> None:
        async with sem:
            got = await ask(
                backend,
                topic_prompt(tax, c.dialogue_text(i, max_chars)),
                lambda t: parse_topics(t, tax),
                max_retries,
                res.stats,
            )
        if isinstance(got, Exception):
            res.failed.append(c.ids[i])
            writer.write({"id": c.ids[i], "error": str(got)})
        else:
            res.labels[c.ids[i]] = got
            writer.write({"id": c.ids[i], "topics": got})
        if progress:
            progress(1)

    try:
        await asyncio.gather(*(one(i) for i in todo))
    finally:
        writer.close()
    return res


def distribution(labels: list[list[str]]) -> Counter:
    """How often each topic was given (a dialogue with two topics counts for both)."""
    return Counter(t for ts in labels for t in ts)


def entropy_bits(counts: Counter) -> float:
    """Shannon entropy of the topic distribution, in bits (log2 of the number of topics at most)."""
    total = sum(counts.values())
    h = -sum(n / total * math.log2(n / total) for n in counts.values() if n) if total else 0.0
    return max(0.0, h)  # never -0.0
