"""How the reply model (`reply_model`) is trained and judged: the project's written reply sets and real counselor
replies read into rows, one example a sentence, logistic regression, and cross-validation grouped by dialogue that
scores each reply only with a model trained without it. `scripts/train_reply_model.py` runs it."""

from __future__ import annotations

import gzip
import json
import zlib
from pathlib import Path

import numpy as np

from .linear import fit_logistic
from .reply_model import ReplyModel, sentences

# the written sets the model learns from (tests/assets/safety/replies/); `independent/` is never read here
SETS = ("dev", "dev2", "dev3", "dev4", "dev5", "heldout", "train")
# sets by other writers, one folder each (`writers/<name>/{en,zh}.jsonl`), naming categories their own way; every
# folder there is read, and each writer can be left out in turn (`cross_validate(leave_out=...)`)
WRITERS_DIR = "writers"
WRITER_CATEGORIES = {
    "method": "method_details",
    "dosing": "medication_dosing",
    "diagnosis": "diagnosis",
    "encourage": "encouraging_harm",
    "shaming": "shaming",
    "stop_medication": "stopping_medication",
    "eating_disorder": "eating_disorder",
}
# the share of real counselor replies the model alone may flag, per language, out of fold: half the 1% budget,
# so that the rules' own flags and a new kind of reply still fit under it
FALSE_ALARMS = 0.005
L2 = 1.0
POSITIVE_WEIGHT = 0.5  # the unsafe sentences count as much as all the safe ones together
# a safe sentence of the written sets (near-misses, the warm words around unsafe advice) counts this many times a
# real counselor's: they sit next to unsafe advice in meaning. Out of fold, 5 passed more near-misses than 1 (0.95
# against 0.92 en) for a little recall; 30 passed 0.99 and lost half the recall (docs/safety-replies.md)
HARD_NEGATIVE_WEIGHT = 5.0


def read_jsonl(path: Path, bad: list[str], required=("lang", "text")) -> list[dict]:
    """The rows of a JSONL file (gzipped when its name ends .gz); a malformed line is left out and named in `bad`."""
    opener = gzip.open if path.suffix == ".gz" else open
    rows = []
    with opener(path, "rt", encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                r = json.loads(line)
                if not isinstance(r, dict) or any(not isinstance(r.get(k), str) for k in required):
                    raise ValueError(f"needs string fields {', '.join(required)}")
            except ValueError as e:
                bad.append(f"{path}:{n}: {e}")
                continue
            rows.append(r)
    return rows


def _labelled(path: Path, bad: list[str]) -> list[dict]:
    """A written set's rows; a row whose label is neither unsafe nor safe is left out and named in `bad`."""
    rows = read_jsonl(path, bad, ("lang", "text", "label"))
    for r in [r for r in rows if r["label"] not in ("unsafe", "safe")]:
        bad.append(f"{path}: id {r.get('id')}: label {r['label']!r} is neither unsafe nor safe")
    return [r for r in rows if r["label"] in ("unsafe", "safe")]


def read_writers(sets_dir: Path, bad: list[str]) -> list[dict]:
    """The rows of every writer's folder under `sets_dir/writers/`, their categories named as the screen names them
    (a safe row is a near miss), each with `writer`. A writer's English and Chinese rows of the same id number form
    one group: a writer may have written a pair on one situation."""
    rows = []
    for folder in sorted(p for p in (sets_dir / WRITERS_DIR).glob("*") if p.is_dir()):
        for path in sorted(folder.glob("*.jsonl")):
            for r in _labelled(path, bad):
                cat = WRITER_CATEGORIES.get(r.get("category")) if r["label"] == "unsafe" else "near_miss"
                pair = str(r.get("id", "")).replace(f"-{r['lang']}-", "-")
                set_name, group = f"{WRITERS_DIR}/{folder.name}", f"{folder.name}:{pair}"
                rows.append({**r, "category": cat, "set": set_name, "writer": folder.name, "group": group})
    return rows


def read_rows(sets_dir: Path, real: Path, bad: list[str]) -> list[dict]:
    """The written sets (`label` unsafe or safe; `span`, where given, the unsafe sentence), the other writers' sets
    (`read_writers`) and the real replies (safe), each with `set`, `writer` ("project", a writer's folder, "real")
    and `group`: a dialogue's replies, and replies sharing a sentence, form one group."""
    rows = []
    for name in SETS:
        for r in _labelled(sets_dir / f"{name}.jsonl", bad):
            rows.append({**r, "set": name, "writer": "project", "group": f"{name}:{r.get('id')}"})
    rows += read_writers(sets_dir, bad)
    for r in read_jsonl(real, bad):
        group = "real:" + str(r.get("id", "")).rsplit("-", 1)[0]
        rows.append({**r, "set": "real", "writer": "real", "label": "safe", "group": group})
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = x = parent[parent[x]]
        return x

    first: dict[str, str] = {}
    for r in rows:
        r["sentences"] = sentences(r["text"])
        for s in r["sentences"]:
            parent[root(r["group"])] = root(first.setdefault(s, r["group"]))
    for r in rows:
        r["group"] = root(r["group"])
    return rows


def sentence_examples(rows: list[dict], pick=None):
    """(row, its example sentences, their labels: 1 unsafe, 0 safe) for each row that gives any: every sentence of a
    safe reply is safe; of an unsafe reply, its `span` is unsafe and the rest safe, a one-sentence reply is unsafe, and
    a longer one without a span gives the sentence `pick(sentences)` names (without `pick`, none of it)."""
    for r in rows:
        sents = r["sentences"]
        if not sents:
            continue
        if r["label"] != "unsafe":
            yield r, sents, [0] * len(sents)
        elif r.get("span"):
            unsafe = set(sentences(r["span"]))
            yield r, sents, [int(s in unsafe) for s in sents]
        elif len(sents) == 1:
            yield r, sents, [1]
        elif pick is not None:
            yield r, [sents[pick(sents)]], [1]


def picker(model):
    """pick(sentences) -> the index of the sentence `model` scores highest."""
    return lambda sents: int(np.argmax(model.scores(sents)))


def _examples(rows: list[dict], embed, first: ReplyModel | None):
    """The embedded `sentence_examples`, a long unsafe reply without a span giving the sentence `first` scores highest.
    Returns (X, y, weights)."""
    X, y, hard = [], [], []
    for r, sents, labels in sentence_examples(rows, None if first is None else picker(first)):
        X.append(embed(sents))
        y += labels
        hard += [r["set"] != "real"] * len(labels)
    y = np.asarray(y, np.float64)
    w = np.where(y == 1, POSITIVE_WEIGHT / y.mean(), (1 - POSITIVE_WEIGHT) / (1 - y.mean()))
    return np.vstack(X), y, np.where((y == 0) & np.asarray(hard), w * HARD_NEGATIVE_WEIGHT, w)


def fit(rows: list[dict], encoder, threshold: float = 0.5) -> ReplyModel:
    """Logistic regression on the rows' sentences, twice: the second time with the best sentence of each long
    unsafe reply without a span (as the first model reads it) as its unsafe example."""
    model = None
    for _ in range(2):
        probe = ReplyModel(np.zeros(512), 0.0, threshold, encoder) if model is None else model
        X, y, weights = _examples(rows, probe.embed, model)
        w, b = fit_logistic(X, y, l2=L2, weights=weights, iterations=30)
        model = ReplyModel(w, b, threshold, encoder)
    return model


def fold_of(row: dict, folds: int) -> int:
    """The fold of a row's group: the same on every run, so no dialogue, and no sentence, is on both sides."""
    return zlib.crc32(row["group"].encode()) % folds


def cross_validate(rows: list[dict], encoder, folds: int = 5, leave_out: str | None = None) -> np.ndarray:
    """Each row's reply score (its highest sentence probability) from a model trained on the other folds; folds
    are drawn by group, so no dialogue, and no sentence, is scored by a model that read it. `leave_out`: a writer
    none of whose rows any model reads (each is still scored, by its fold's model): how the model does on a writer
    it never read."""
    fold = np.array([fold_of(r, folds) for r in rows])
    out = np.zeros(len(rows))
    for k in range(folds):
        model = fit([r for r, f in zip(rows, fold) if f != k and r.get("writer") != leave_out], encoder)
        for i in np.flatnonzero(fold == k):
            out[i] = model.scores(rows[i]["sentences"]).max() if rows[i]["sentences"] else 0.0
    return out


def choose_threshold(rows: list[dict], scores: np.ndarray, false_alarms: float = FALSE_ALARMS) -> float:
    """The lowest threshold at which, in each language, at most `false_alarms` of the real replies score at or
    above it out of fold."""
    th = 0.5
    for lang in sorted({r["lang"] for r in rows if r["set"] == "real"}):
        real = np.sort([s for r, s in zip(rows, scores) if r["set"] == "real" and r["lang"] == lang])[::-1]
        allowed = int(np.floor(false_alarms * len(real)))
        th = max(th, float(np.nextafter(real[allowed], 1.0)))  # the (allowed+1)-th highest stays below
    return th


def summary(rows: list[dict], scores: np.ndarray, threshold: float, rules: list[bool] | None = None) -> list[dict]:
    """Per language and set: unsafe replies caught, safe replies passed, real replies flagged, by the model at
    `threshold` (and with `rules`, each row's rule verdict, the two stages together)."""
    out = []
    for lang in sorted({r["lang"] for r in rows}):
        for name in sorted({r["set"] for r in rows}, key=lambda n: (n == "real", n not in SETS, n)):
            idx = [i for i, r in enumerate(rows) if r["lang"] == lang and r["set"] == name]
            if not idx:
                continue
            flag = [scores[i] >= threshold or (rules is not None and rules[i]) for i in idx]
            unsafe = [f for i, f in zip(idx, flag) if rows[i]["label"] == "unsafe"]
            safe = [f for i, f in zip(idx, flag) if rows[i]["label"] != "unsafe"]
            out.append(
                {
                    "lang": lang,
                    "set": name,
                    "unsafe": len(unsafe),
                    "caught": int(sum(unsafe)),
                    "safe": len(safe),
                    "flagged": int(sum(safe)),
                }
            )
    return out


def by_category(rows: list[dict], flagged: list[bool]) -> list[dict]:
    """Per language and category (the unsafe categories, then near_miss): how many rows, and how many flagged."""
    out: dict[tuple[str, str], dict] = {}
    for r, f in zip(rows, flagged):
        cell = out.setdefault((r["lang"], r.get("category") or "?"), {"rows": 0, "flagged": 0})
        cell["rows"] += 1
        cell["flagged"] += bool(f)
    return [
        {"lang": lang, "category": c, **v}
        for (lang, c), v in sorted(out.items(), key=lambda x: (x[0][0], x[0][1] == "near_miss", x[0][1]))
    ]
