"""Score several systems on the same references and compare them pairwise: the shared piece behind
`warmline eval metrics`, `warmline eval run` and the quickstart's evaluation stage."""

from __future__ import annotations

from pathlib import Path

from . import report
from .score import paired_bootstrap, score

PAIRED = ("bleu-4", "rouge-l", "meteor", "distinct-1-per-reply", "bertscore-f", "embedding-cosine")


def evaluate_systems(systems: dict[str, tuple[list[str], list[str]]], out: Path | None = None, **score_kwargs) -> dict:
    """systems: {name: (replies, references)}. Returns {"systems", "comparisons", "style", "paths"}."""
    scored = {name: score(h, r, **score_kwargs) for name, (h, r) in systems.items()}
    names = list(scored)
    comparisons = {}
    for other in names[1:]:
        a, b = scored[other], scored[names[0]]
        if a.n != b.n:
            continue
        comparisons[f"{other} vs {names[0]}"] = {
            m: paired_bootstrap(a.per_item[m], b.per_item[m], seed=score_kwargs.get("seed", 0))
            for m in PAIRED
            if m in a.per_item and m in b.per_item
        }
    style = {name: report.style_stats(h, r) for name, (h, r) in systems.items()}
    result = {"systems": {n: s.to_dict() for n, s in scored.items()}, "comparisons": comparisons, "style": style}
    if out is not None:
        result["paths"] = {k: str(v) for k, v in report.write(out, result["systems"], comparisons, style).items()}
    return result
