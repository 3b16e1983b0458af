"""How well the screen does on the project's labelled sets: precision and recall of "any risk" per set,
the share of exact risk levels, and the share right per kind of case (crisis, hard negative, negative) and,
for rows that name one, per category ("crisis/abuse", "hard_negative/idiom": right, total); and, for
conversations nobody labelled, how often it flags their messages (`flag_rate`).
Used by `benchmarks/bench_safety.py`, `warmline safety eval|rate` and the quickstart."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from .classifier import labelled
from .detect import Verdict

# the current held-out sets: never used to train or tune anything, and their errors are not read (what each
# holds and how the retired ones became training data: docs/safety-rounds.md)
HELD_OUT = ("heldout24", "heldout25", "heldout26")


def screen_rows(rows: list[dict], screener: Callable[[str], Verdict]) -> list[Verdict]:
    """The screen's verdict on each labelled row, read with its `context` (and `asked`, the assistant's turn before
    it, when rows have one) when the screener takes them."""
    many = getattr(screener, "many", None)
    contexts = [r.get("context") or [] for r in rows]
    asked = [r.get("asked") for r in rows]
    if not many:
        return [screener(r["text"]) for r in rows]
    return many([r["text"] for r in rows], contexts, asked) if any(asked) else many([r["text"] for r in rows], contexts)


def score(
    rows: list[dict], screener: Callable[[str], Verdict] | None = None, verdicts: list[Verdict] | None = None
) -> dict:
    """Scores of `screener` on `rows`, or of `verdicts` already made for them (one per row). `check_in`: how many
    of the false alarms and of the caught cases get the check-in rather than the full crisis message."""
    from .policy import checks_in

    if verdicts is None:
        verdicts = screen_rows(rows, screener)
    tp = fp = fn = exact = 0
    check_in = {"false_alarms": 0, "caught": 0}
    by_kind = defaultdict(lambda: [0, 0])  # kind -> [right, total]
    by_category = defaultdict(lambda: [0, 0])  # "kind/category" -> [right, total], for rows that name a category
    for r, v in zip(rows, verdicts):
        pos, hit = r["risk"] != "none", v.risk != "none"
        tp += pos and hit
        fp += hit and not pos
        fn += pos and not hit
        exact += v.risk == r["risk"]
        if hit and checks_in(v):
            check_in["caught" if pos else "false_alarms"] += 1
        by_kind[r["kind"]][0] += hit == pos
        by_kind[r["kind"]][1] += 1
        if r.get("category"):
            cell = by_category[f"{r['kind']}/{r['category']}"]
            cell[0] += hit == pos
            cell[1] += 1
    return {
        "n": len(rows),
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "recall": tp / (tp + fn) if tp + fn else 1.0,
        "level_accuracy": exact / len(rows) if rows else 1.0,
        "check_in": check_in,
        "by_kind": {k: v[0] / v[1] for k, v in by_kind.items()},
        "by_category": {k: tuple(v) for k, v in sorted(by_category.items())},
    }


def score_groups(rows: list[dict], verdicts: list[Verdict], groups: list[str]) -> dict:
    """{group: score} for each of `groups`: "all", or a language ("en", "zh") selecting rows by their `lang`."""
    out = {}
    for name in groups:
        at = [i for i, r in enumerate(rows) if name == "all" or r["lang"] == name]
        out[name] = score([rows[i] for i in at], verdicts=[verdicts[i] for i in at])
    return out


def held_out(lang: str, where=None) -> list[dict]:
    """The current held-out sets of one language, from the written sets' folder `where` (`classifier.labelled`)."""
    return [r for split in HELD_OUT for r in labelled(f"{split}_{lang}.jsonl", where)]


def messages_of(path, role: str = "client", fmt: str | None = None, on_bad: Callable | None = None) -> list[str]:
    """Every distinct message of `role` in a dialogue file or directory, in any format warmline reads
    (`warmline.formats`), in order of first appearance: Counsel-Chat repeats a question once per answer.
    Bad records go to `on_bad` (or raise ValueError naming file and line)."""
    from ..formats import read_dialogues

    seen: dict[str, None] = {}
    for d in read_dialogues(path, fmt, on_bad=on_bad):
        for t in d.turns:
            if t.role == role and t.text.strip():
                seen.setdefault(t.text, None)
    return list(seen)


def flag_rate(texts: list[str], screener: Callable[[str], Verdict]) -> dict:
    """How often the screen flags messages nobody labelled (a service's own conversations, a corpus): each flag
    is a crisis message instead of a reply, opening with the check-in when a second stage was unsure
    (`policy.checks_in`). {"n", "flagged", "check_in", "by_lang": {lang: [flagged, n]}, "verdicts"}."""
    from ..conversation import detect_lang
    from .policy import checks_in

    many = getattr(screener, "many", None)
    verdicts = many(list(texts)) if many else [screener(t) for t in texts]
    by_lang: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for t, v in zip(texts, verdicts):
        cell = by_lang[detect_lang(t)]
        cell[0] += v.risk != "none"
        cell[1] += 1
    return {
        "n": len(texts),
        "flagged": sum(v.risk != "none" for v in verdicts),
        "check_in": sum(map(checks_in, verdicts)),
        "by_lang": dict(by_lang),
        "verdicts": verdicts,
    }
