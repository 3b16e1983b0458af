"""The counselor's question as context, on real (question, answer) pairs: `python benchmarks/bench_safety_context.py`.

Reads the 1,499 SMILECHAT counselor turns of `data/safety-real/counselor_replies.jsonl.gz` (in the repository; ids
`smilechat-DIALOG-TURN`, odd TURN) and the unlabelled client pool `../shared/safety-real/smilechat_client_pool.jsonl.gz`
(ids with even TURN; not in the repository: the pool part is skipped when it is absent, WARMLINE_SHARED names
another place). Counselor turn N-1 joined to client turn N gives real pairs. What it prints:
0. which of all 3,338 counselor replies read as asking about risk (repository data only; each printed to be read);
1. how many counselor turns ask about risk (`safety.context.question`), and how many of their answers inherit it;
2. the default screen (lexicon + shipped classifier) on every client turn of a pair, read with the person's earlier
   turns of the dialogue, without and with the counselor's turn (`Screener.many(..., asked)`): the turns the
   question flags that the screen did not, and those it raises to imminent, each printed to be read (the pairs are
   unlabelled: judge them against RUBRIC.md);
3. how often a real client answer is shaped as a yes, a hedge or a no (`safety.context.answer`), after any
   counselor question: how much a risk question's answer would inherit, had the counselor asked one;
4. the cost of the question's reading per message.
"""

from __future__ import annotations

import gzip
import json
import os
import time
from collections import Counter
from pathlib import Path

from warmline.safety import Screener
from warmline.safety.context import answer, answered, is_question, question

ROOT = Path(__file__).resolve().parents[1]
COUNSELOR = ROOT / "data" / "safety-real" / "counselor_replies.jsonl.gz"
SHARED = Path(os.environ.get("WARMLINE_SHARED") or ROOT.parent / "shared")
POOL = SHARED / "safety-real" / "smilechat_client_pool.jsonl.gz"


def _read(path: Path, prefix: str = "smilechat-") -> dict[str, str]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        rows = (json.loads(line) for line in f if line.strip())
        return {r["id"]: r["text"] for r in rows if r["id"].startswith(prefix)}


def risk_questions() -> None:
    """Which of all 3,338 real counselor replies (Counsel-Chat en, SMILECHAT zh) read as asking about risk."""
    replies = _read(COUNSELOR, "")
    asked = [(i, q) for i, t in replies.items() if (q := question(t)) is not None]
    print(f"0. real counselor replies read as asking about the person's risk: {len(asked)} of {len(replies)}")
    for i, q in asked:
        kind = "conditional" if q.conditional else "question"
        print(f"   {i} ({kind}, {', '.join(q.categories)}): {q.text[-140:]}")


def pairs() -> list[dict]:
    """(counselor turn N-1, client turn N, the client's earlier turns of the dialogue) for each N in both files."""
    counselor, pool = _read(COUNSELOR), _read(POOL)
    out = []
    for cid, asked in counselor.items():
        _, dialog, turn = cid.rsplit("-", 2)
        text = pool.get(f"smilechat-{dialog}-{int(turn) + 1}")
        if text is None:
            continue
        earlier = [pool[k] for t in range(0, int(turn), 2) if (k := f"smilechat-{dialog}-{t}") in pool]
        out.append({"id": cid, "asked": asked, "text": text, "context": earlier})
    return out


def main() -> None:
    risk_questions()
    if not POOL.is_file():
        print(f"\n(no unlabelled pool at {POOL}: the pairs are skipped)")
        return
    rows = pairs()
    print(f"real pairs: {len(rows)} (counselor turn N-1, client turn N) of {len(_read(COUNSELOR))} counselor turns")

    t0 = time.perf_counter()
    asks = [question(r["asked"]) for r in rows]
    by_answer = [answered(r["asked"], r["text"], r["context"]) for r in rows]
    rule_s = time.perf_counter() - t0
    risky = [i for i, q in enumerate(asks) if q is not None]
    print(
        f"\n1. counselor turns that ask about risk: {len(risky)}; answers that inherit it: "
        f"{sum(by_answer[i] is not None for i in risky)}"
    )
    for i in risky:
        print(
            f"   {rows[i]['id']}: {asks[i].categories} -> {answer(rows[i]['text'])}, "
            f"{by_answer[i].risk if by_answer[i] else 'none'}"
        )

    screen = Screener()
    texts, contexts = [r["text"] for r in rows], [r["context"] for r in rows]
    without = screen.many(texts, contexts)
    with_q = screen.many(texts, contexts, [r["asked"] for r in rows])
    flagged = [i for i, (a, b) in enumerate(zip(without, with_q)) if not a.flagged and b.flagged]
    raised = [i for i, (a, b) in enumerate(zip(without, with_q)) if a.risk == "elevated" and b.risk == "imminent"]
    lowered = [i for i, (a, b) in enumerate(zip(without, with_q)) if b.risk != a.risk and b.risk in ("none",)]
    print(
        f"\n2. default screen on the {len(rows)} client turns: flagged without the question "
        f"{sum(v.flagged for v in without)}, with it {sum(v.flagged for v in with_q)}; flagged only with the "
        f"question {len(flagged)}, raised to imminent {len(raised)}, lowered {len(lowered)} (must be 0)"
    )
    for i in flagged + raised:
        print(
            f"   {rows[i]['id']} [{without[i].risk} -> {with_q[i].risk}]\n     Q: {rows[i]['asked'][-160:]}"
            f"\n     A: {rows[i]['text'][:160]}"
        )

    questions = [i for i, r in enumerate(rows) if is_question(r["asked"])]
    shapes = Counter(answer(rows[i]["text"]) for i in questions)
    n = len(questions)
    print(
        f"\n3. client turns after a counselor question ({n}): shaped as yes {shapes['yes']} "
        f"({shapes['yes'] / n:.1%}), hedge {shapes['partly']} ({shapes['partly'] / n:.1%}), no {shapes['no']} "
        f"({shapes['no'] / n:.1%}), not an answer {shapes[None]} ({shapes[None] / n:.1%})"
    )
    print(f"\n4. the question's reading: {rule_s / len(rows) * 1000:.2f} ms a message (the rule alone, CPU)")


if __name__ == "__main__":
    main()
