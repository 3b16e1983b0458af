"""LLM judges through any backend: rubric scoring with strict JSON parsing and counted retries, pairwise
A/B preference in both orders (position bias cancels), majority vote across judges, and agreement
statistics (Fleiss' kappa across raters, Cohen's kappa between two)."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from importlib import resources as ir
from pathlib import Path

import yaml

from ..backends.base import ChatBackend
from ..llm_json import JSON_OPTIONS, AskStats, UnusableAnswer, ask, context_text, json_object

RUBRICS = ("cehs", "psy-insight", "cpsycoun")
JUDGE_OPTIONS = JSON_OPTIONS
JudgeParseError = UnusableAnswer  # the judges' names for warmline.llm_json's
JudgeStats = AskStats


@dataclass(frozen=True)
class Criterion:
    key: str
    name: str
    min: int
    max: int
    levels: dict


@dataclass(frozen=True)
class Rubric:
    name: str
    version: str
    source: str
    criteria: tuple[Criterion, ...]


def load_rubric(name_or_path: str) -> Rubric:
    """A bundled rubric by name, or a YAML file of the same shape."""
    if name_or_path in RUBRICS:
        text = ir.files("warmline").joinpath(f"data/rubrics/{name_or_path}.yaml").read_text(encoding="utf-8")
    else:
        p = Path(name_or_path)
        if not p.is_file():
            raise ValueError(f"unknown rubric {name_or_path!r}: use {', '.join(RUBRICS)} or a YAML file")
        text = p.read_text(encoding="utf-8")
    d = yaml.safe_load(text) or {}
    try:
        crit = tuple(
            Criterion(
                c["key"],
                c.get("name", c["key"]),
                int(c["min"]),
                int(c["max"]),
                {int(k): str(v) for k, v in (c.get("levels") or {}).items()},
            )
            for c in d["criteria"]
        )
        return Rubric(str(d["name"]), str(d.get("version", "0")), str(d.get("source", "")), crit)
    except (KeyError, TypeError, ValueError) as e:
        raise ValueError(f"rubric {name_or_path}: needs name and criteria with key, min and max ({e})") from None


def rubric_block(rubric: Rubric) -> tuple[list[str], str]:
    """(one line per criterion with its range and levels, the JSON answer format) for judge prompts."""
    lines = []
    for c in rubric.criteria:
        levels = "; ".join(f"{k} = {v}" for k, v in sorted(c.levels.items()))
        lines.append(f"- {c.key} ({c.name}), an integer from {c.min} to {c.max}: {levels}")
    keys = ", ".join(f'"{c.key}": <int>' for c in rubric.criteria)
    return lines, f'{{"scores": {{{keys}}}, "reasons": {{"<criterion>": "<one sentence>"}}}}'


def rubric_prompt(rubric: Rubric, context: list[dict], reply: str, lang: str = "en") -> str:
    criteria, answer = rubric_block(rubric)
    return "\n".join(
        [
            f"You are an expert evaluator of mental-health support conversations. Rate the counselor's reply "
            f"with the rubric below ({rubric.name} v{rubric.version}).",
            "",
            *criteria,
            "",
            "Conversation so far:",
            context_text(context, lang) or "(none)",
            "",
            "Counselor's reply to rate:",
            reply,
            "",
            f"Answer with JSON only, no other text: {answer}",
        ]
    )


def parse_scores(text: str, rubric: Rubric) -> tuple[dict, dict]:
    """(scores, reasons), strictly: every criterion present, an integer within its range, nothing else."""
    obj = json_object(text)
    scores = obj.get("scores")
    if not isinstance(scores, dict):
        raise JudgeParseError("missing 'scores' object")
    keys = {c.key for c in rubric.criteria}
    if set(scores) != keys:
        raise JudgeParseError(f"scores must have exactly {sorted(keys)}, got {sorted(scores)}")
    for c in rubric.criteria:
        v = scores[c.key]
        if isinstance(v, bool) or not isinstance(v, int) or not c.min <= v <= c.max:
            raise JudgeParseError(f"{c.key} must be an integer from {c.min} to {c.max}, got {v!r}")
    reasons = obj.get("reasons") if isinstance(obj.get("reasons"), dict) else {}
    return scores, {k: str(v) for k, v in reasons.items()}


async def judge_replies(
    items: list[dict], backend: ChatBackend, rubric: Rubric, max_retries: int = 2, concurrency: int = 8
) -> tuple[list[dict], JudgeStats]:
    """items: {id, context (messages), reply, lang?}. Returns one record per item with scores or error."""
    stats = JudgeStats()
    sem = asyncio.Semaphore(concurrency)

    async def one(it: dict) -> dict:
        async with sem:
            res = await ask(
                backend,
                rubric_prompt(rubric, it.get("context", []), it["reply"], it.get("lang", "en")),
                lambda t: parse_scores(t, rubric),
                max_retries,
                stats,
            )
        if isinstance(res, Exception):
            return {"id": it["id"], "error": str(res)}
        return {"id": it["id"], "scores": res[0], "reasons": res[1]}

    return list(await asyncio.gather(*(one(it) for it in items))), stats


def criterion_means(
    results: list[dict], rubric: Rubric, resamples: int = 1000, seed: int = 0
) -> list[tuple[Criterion, float, float, float, int]]:
    """(criterion, mean score, 95% bootstrap interval low and high, items) per criterion that has scores,
    over the results of `judge_replies` that hold scores."""
    import numpy as np

    ok = [r for r in results if "scores" in r]
    rng = np.random.default_rng(seed)
    out = []
    for c in rubric.criteria:
        vals = np.array([r["scores"][c.key] for r in ok], dtype=float)
        if len(vals):
            boots = vals[rng.integers(0, len(vals), (resamples, len(vals)))].mean(axis=1)
            out.append(
                (c, float(vals.mean()), float(np.quantile(boots, 0.025)), float(np.quantile(boots, 0.975)), len(vals))
            )
    return out


def pairwise_prompt(context: list[dict], first: str, second: str, lang: str = "en") -> str:
    return "\n".join(
        [
            "You compare two counselor replies in a mental-health support conversation. Prefer the reply that listens, "
            "understands and comforts before advising, is safe, and fits what the person said. Length and order do "
            "not matter.",
            "",
            "Conversation so far:",
            context_text(context, lang) or "(none)",
            "",
            "Reply A:",
            first,
            "",
            "Reply B:",
            second,
            "",
            'Answer with JSON only: {"winner": "A" | "B" | "tie", "reason": "<one sentence>"}',
        ]
    )


def parse_winner(text: str) -> str:
    w = json_object(text).get("winner")
    if w not in ("A", "B", "tie"):
        raise JudgeParseError(f"winner must be A, B or tie, got {w!r}")
    return w


async def pairwise(
    items: list[dict], judges: list[ChatBackend], max_retries: int = 2, concurrency: int = 8
) -> tuple[list[dict], JudgeStats]:
    """items: {id, context, a, b}. Each judge sees both orders; a judge whose two answers disagree calls it a
    tie; the verdict is the majority across judges (a tie when there is no majority)."""
    stats = JudgeStats()
    sem = asyncio.Semaphore(concurrency)

    async def one_judge(j: ChatBackend, it: dict) -> str:
        async with sem:
            first = await ask(
                j,
                pairwise_prompt(it.get("context", []), it["a"], it["b"], it.get("lang", "en")),
                parse_winner,
                max_retries,
                stats,
            )
            second = await ask(
                j,
                pairwise_prompt(it.get("context", []), it["b"], it["a"], it.get("lang", "en")),
                parse_winner,
                max_retries,
                stats,
            )
        if isinstance(first, Exception) or isinstance(second, Exception):
            return "error"
        flipped = {"A": "b", "B": "a", "tie": "tie"}[second]
        first = {"A": "a", "B": "b", "tie": "tie"}[first]
        return first if first == flipped else "tie"

    async def one(it: dict) -> dict:
        votes = list(await asyncio.gather(*(one_judge(j, it) for j in judges)))
        counted = Counter(v for v in votes if v != "error")
        top = counted.most_common()
        verdict = "tie" if not top or (len(top) > 1 and top[0][1] == top[1][1]) else top[0][0]
        return {"id": it["id"], "votes": votes, "winner": verdict}

    return list(await asyncio.gather(*(one(it) for it in items))), stats


def win_rates(results: list[dict]) -> dict:
    c = Counter(r["winner"] for r in results)
    n = max(1, len(results))
    return {"a_wins": c["a"] / n, "ties": c["tie"] / n, "b_wins": c["b"] / n, "n": len(results)}


# -- agreement ---------------------------------------------------------------------------------------


def fleiss_kappa(ratings: list[list]) -> float:
    """Fleiss' kappa; `ratings[i]` holds the category each rater gave item i (same number of raters)."""
    cats = sorted({c for row in ratings for c in row}, key=str)
    n = len(ratings[0])
    if any(len(r) != n for r in ratings) or n < 2:
        raise ValueError("Fleiss' kappa needs the same number (at least 2) of ratings for every item")
    counts = [[row.count(c) for c in cats] for row in ratings]
    N = len(counts)
    p_j = [sum(row[j] for row in counts) / (N * n) for j in range(len(cats))]
    P_i = [(sum(x * x for x in row) - n) / (n * (n - 1)) for row in counts]
    P_bar, P_e = sum(P_i) / N, sum(p * p for p in p_j)
    return 1.0 if P_e == 1 else (P_bar - P_e) / (1 - P_e)


def cohen_kappa(a: list, b: list) -> float:
    """Cohen's kappa between two raters (e.g. a judge and human labels) on the same items."""
    if len(a) != len(b) or not a:
        raise ValueError("Cohen's kappa needs two equally long, non-empty label lists")
    n = len(a)
    po = sum(x == y for x, y in zip(a, b)) / n
    ca, cb = Counter(a), Counter(b)
    pe = sum(ca[k] * cb[k] for k in set(ca) | set(cb)) / (n * n)
    return 1.0 if pe == 1 else (po - pe) / (1 - pe)
