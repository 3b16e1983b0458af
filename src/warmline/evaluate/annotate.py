"""Human annotation: a local web page where raters score single replies with a rubric and choose
between two replies shown blind, in an order randomized per rater and item. Annotations are appended
to a JSONL file; `agreement` computes Fleiss' kappa across raters and majority-vote preferences."""

from __future__ import annotations

import hashlib
import json
import threading
from collections import Counter, defaultdict
from importlib import resources as ir
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from .. import jsonio
from .judge import Rubric, cohen_kappa, fleiss_kappa


def load_tasks(files: list[Path], rubric: Rubric) -> tuple[list[dict], dict]:
    """Tasks from replies files (`eval run` output): one scoring task per reply, one pairwise task per
    id present in the first two files. Returns (tasks, hidden) where hidden maps a pairwise task to the
    systems behind its two sides."""
    from .inputs import read_replies

    systems = {
        f.name.removeprefix("replies.").removesuffix(".jsonl"): {r["id"]: r for r in read_replies(f)} for f in files
    }
    tasks, hidden = [], {}
    for name, rows in systems.items():
        for rid, r in rows.items():
            tasks.append(
                {
                    "task": f"score:{name}:{rid}",
                    "kind": "score",
                    "item": rid,
                    "context": r.get("context", []),
                    "reply": r["reply"],
                }
            )
    names = list(systems)
    if len(names) >= 2:
        a, b = names[0], names[1]
        for rid in sorted(set(systems[a]) & set(systems[b])):
            tid = f"pair:{rid}"
            hidden[tid] = (a, b)
            tasks.append(
                {
                    "task": tid,
                    "kind": "pair",
                    "item": rid,
                    "context": systems[a][rid].get("context", []),
                    "replies": [systems[a][rid]["reply"], systems[b][rid]["reply"]],
                }
            )
    return tasks, hidden


def flipped(rater: str, task: str, seed: int = 0) -> bool:
    """Whether this rater sees this pair in swapped order (deterministic, about half of the time)."""
    return hashlib.sha256(f"{seed}:{rater}:{task}".encode()).digest()[0] % 2 == 1


class Annotation(BaseModel):
    """One rater's answer to one task, as the page sends it."""

    model_config = ConfigDict(extra="forbid")
    rater: str = Field(min_length=1, max_length=80)
    task: str
    scores: dict[str, int] | None = None
    choice: str | None = None  # "first" | "second" | "tie", as shown on screen


def create_app(files: list[Path], output: Path, rubric: Rubric, seed: int = 0):
    """The FastAPI app: GET / (the page), GET /api/tasks?rater=, POST /api/annotations, GET /api/export."""
    from fastapi import FastAPI, HTTPException
    from fastapi.responses import HTMLResponse

    tasks, hidden = load_tasks(files, rubric)
    by_id = {t["task"]: t for t in tasks}
    lock = threading.Lock()
    output.parent.mkdir(parents=True, exist_ok=True)
    page = ir.files("warmline").joinpath("data/annotate.html").read_text(encoding="utf-8")

    app = FastAPI(title="warmline annotate", docs_url=None, redoc_url=None)

    @app.get("/", response_class=HTMLResponse)
    def index() -> str:
        return page

    @app.get("/api/tasks")
    def get_tasks(rater: str) -> dict:
        done = {a["task"] for a in read_annotations(output) if a["rater"] == rater}
        out = []
        for t in tasks:
            view = dict(t, done=t["task"] in done)
            if t["kind"] == "pair" and flipped(rater, t["task"], seed):
                view["replies"] = list(reversed(t["replies"]))
            out.append(view)
        return {"rubric": {"name": rubric.name, "criteria": [c.__dict__ for c in rubric.criteria]}, "tasks": out}

    @app.post("/api/annotations")
    def post(a: Annotation) -> dict:
        t = by_id.get(a.task)
        if t is None:
            raise HTTPException(404, f"unknown task {a.task}")
        rec = {"rater": a.rater, "task": a.task, "kind": t["kind"], "item": t["item"]}
        if t["kind"] == "score":
            keys = {c.key: c for c in rubric.criteria}
            if (
                not a.scores
                or set(a.scores) != set(keys)
                or any(not keys[k].min <= v <= keys[k].max for k, v in a.scores.items())
            ):
                raise HTTPException(400, "scores must give every criterion a value within its range")
            rec.update(system=t["task"].split(":")[1], scores=a.scores)
        else:
            if a.choice not in ("first", "second", "tie"):
                raise HTTPException(400, "choice must be first, second or tie")
            first, second = hidden[a.task]
            if flipped(a.rater, a.task, seed):
                first, second = second, first
            rec.update(shown=[first, second], winner={"first": first, "second": second, "tie": "tie"}[a.choice])
        with lock, output.open("a", encoding="utf-8") as f:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
        return {"ok": True}

    @app.get("/api/export")
    def export() -> list[dict]:
        return read_annotations(output)

    return app


def read_annotations(path: Path) -> list[dict]:
    """Every annotation in the file, in the order written (none when it does not exist yet)."""
    if not path.exists():
        return []
    with path.open("rb") as f:
        return [jsonio.loads(line) for line in f if line.strip()]


def agreement(path: Path, rubric: Rubric) -> dict:
    """Fleiss' kappa per criterion over replies scored by every rater (the last annotation of a rater
    for a task counts), means per system, and majority-vote pairwise results."""
    last: dict = {}
    for a in read_annotations(path):
        last[(a["rater"], a["task"])] = a
    raters = sorted({r for r, _ in last})
    by_task = defaultdict(dict)
    for (r, t), a in last.items():
        by_task[t][r] = a
    out: dict = {"raters": raters, "kappa": {}, "means": {}, "pairwise": {}}
    full = [t for t, rs in by_task.items() if t.startswith("score:") and len(rs) == len(raters)]
    for c in rubric.criteria:
        rows = [[by_task[t][r]["scores"][c.key] for r in raters] for t in full]
        out["kappa"][c.key] = fleiss_kappa(rows) if rows and len(raters) >= 2 else None
    sums: dict = defaultdict(lambda: defaultdict(list))
    for a in last.values():
        if a["kind"] == "score":
            for k, v in a["scores"].items():
                sums[a["system"]][k].append(v)
    out["means"] = {s: {k: sum(v) / len(v) for k, v in d.items()} for s, d in sums.items()}
    wins: Counter = Counter()
    for t, rs in by_task.items():
        if t.startswith("pair:"):
            votes = Counter(a["winner"] for a in rs.values()).most_common()
            wins["tie" if len(votes) > 1 and votes[0][1] == votes[1][1] else votes[0][0]] += 1
    out["pairwise"] = dict(wins)
    return out


def judge_agreement(annotations: Path, judged: Path, rubric: Rubric) -> list[tuple[str, float, int]]:
    """(criterion name, Cohen's kappa of the judge against the human majority, items) per criterion, over
    the replies both the judge (`eval judge --output` file) and at least one human scored."""
    if not judged.is_file():
        raise ValueError(f"{judged} does not exist")
    scores = {r["id"]: r.get("scores") for r in (json.loads(x) for x in judged.read_text().splitlines() if x.strip())}
    human: dict = {}
    for a in read_annotations(annotations):
        if a["kind"] == "score":
            human.setdefault(a["item"], []).append(a["scores"])
    rows = []
    for c in rubric.criteria:
        pairs = [
            (scores[i][c.key], Counter(s[c.key] for s in hs).most_common(1)[0][0])
            for i, hs in human.items()
            if scores.get(i)
        ]
        if pairs:
            rows.append((c.name, cohen_kappa([p[0] for p in pairs], [p[1] for p in pairs]), len(pairs)))
    return rows
