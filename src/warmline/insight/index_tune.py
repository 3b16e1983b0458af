"""The case index's fusion weights, chosen by cross-validation over topic-labelled sessions, and the
cross-fitted rankings that choice and `warmline index eval` share.

A query is a session's first client turns; its own session is never among its results, and the topic view
that ranks for it is fitted without the query's fold of sessions, so that no query is helped by its own
topic label. The weights chosen are those whose top k share the query's topic most often."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .index import DEPTH, TOPIC_WEIGHT, CaseIndex, record_topic, rrf

# Candidate weights of the topic view and the BM25 view (the embedded views weigh 1). The first is the
# default, kept unless another does strictly better.
GRID: tuple[dict[str, float], ...] = tuple(
    {"topic": t, "bm25": b} for t in (TOPIC_WEIGHT, 1.0, 2.0, 20.0, 100.0, 0.0) for b in (1.0, 0.0)
)
MIN_SESSIONS = 20  # fewer labelled sessions than this: the defaults, not a choice made on noise
# Psy-Insight holds some sessions in both languages (Chinese translations of English books): a session in
# another language whose client turns are this close (cosine, cross-lingual encoder) to a held-out one is
# held out with it, so that a translation never teaches the topic view the label it is tested on.
TWIN_COSINE = 0.6


@dataclass
class Query:
    row: int  # the query's own session in the index
    text: str
    topic: str
    skip: frozenset[int] = frozenset()  # rows never returned to it (sessions in another language)


def folds_of(n: int, k: int, seed: int = 0) -> np.ndarray:
    """Fold number of each of n sessions, k folds of (nearly) equal size in a fixed shuffled order."""
    return np.random.RandomState(seed).permutation(n) % max(1, min(k, n))


class Rankings:
    """Each query's rankings in the views that do not learn (computed once, its own session left out), and
    its topic-view ranking for a given set of sessions the topic view did not learn from."""

    def __init__(self, index: CaseIndex, queries: list[Query]):
        self.index, self.queries = index, queries
        self.depth = min(DEPTH, len(index.sessions))  # as deep as a search fuses
        self.base = [index.rankings(q.text, self.depth, skip={q.row} | q.skip, topic=False) for q in queries]
        tv = index.topic_view
        self.vectors = index.embed([q.text for q in queries]).astype(np.float32) if tv is not None else None
        self._twins: dict[frozenset[int], frozenset[int]] = {}

    def with_twins(self, rows: frozenset[int]) -> frozenset[int]:
        """`rows` and the sessions in another language whose client turns are nearly the same (translations)."""
        if rows not in self._twins:
            tv, langs = self.index.topic_view, [s.get("lang") for s in self.index.sessions]
            twins = set()
            if tv is not None and rows and len(set(langs)) > 1:
                held = sorted(i for i in rows if tv.has[i])
                close = (tv.vectors[held] @ tv.vectors.T >= TWIN_COSINE) & tv.has[None, :]
                for a, i in enumerate(held):
                    twins |= {int(b) for b in np.flatnonzero(close[a]) if langs[b] != langs[i]}
            self._twins[rows] = frozenset(rows) | twins
        return self._twins[rows]

    def of(self, j: int, unseen: frozenset[int], drop: frozenset[int] = frozenset()) -> dict[str, list[int]]:
        """Query j's rankings without the rows in `drop`, the topic view fitted without `unseen`."""
        q = self.queries[j]
        out = {v: [i for i in r if i not in drop] for v, r in self.base[j].items()}
        if self.vectors is not None:
            skip = {q.row} | drop | q.skip
            unseen = self.with_twins(frozenset(unseen))
            out["topic"] = self.index.topic_view.ranking(self.vectors[j], skip, self.depth, unseen=unseen)
        return out


def top_k(rankings: dict[str, list[int]], weights: dict[str, float], k: int) -> list[int]:
    fused = rrf(rankings, weights=weights)
    return sorted(fused, key=lambda i: (-fused[i], i))[:k]


def share(rows: list[int], topic: str, topics: list[str], k: int) -> float:
    return sum(topics[i] == topic for i in rows) / k


def choose_weights(
    r: Rankings, js: list[int], topics: list[str], k: int = 5, folds: int = 5, drop: frozenset[int] = frozenset()
) -> tuple[dict[str, float], float]:
    """The weights of GRID whose top k share the query's topic most often over queries `js` (indexes into
    r.queries), in `folds`-fold cross-fitting among their sessions; the rows in `drop` are neither results
    nor learned from. Returns (weights, their mean share)."""
    fold = folds_of(len(js), folds, seed=1)
    lists = []
    for j, f in zip(js, fold):
        unseen = frozenset(r.queries[js[m]].row for m in np.flatnonzero(fold == f)) | drop
        lists.append(r.of(j, unseen, drop))
    grid = GRID if r.vectors is not None else tuple(w for w in GRID if w["topic"] == TOPIC_WEIGHT)
    best, best_score = dict(grid[0]), -1.0
    for w in grid:
        got = np.mean([share(top_k(rk, w, k), r.queries[j].topic, topics, k) for j, rk in zip(js, lists)])
        if got > best_score + 1e-9:
            best, best_score = dict(w), float(got)
    return best, best_score


def tune_index(index: CaseIndex, queries: list[Query], k: int = 5, folds: int = 5) -> dict | None:
    """Weights for `index` chosen by cross-validation over its own labelled sessions, for all of them and
    for each language with enough of its own (None when there are too few to choose on, or fewer than two
    topics)."""
    topics = [record_topic(s) for s in index.sessions]
    if len(queries) < MIN_SESSIONS or len({q.topic for q in queries}) < 2:
        return None
    r = Rankings(index, queries)
    weights, got = choose_weights(r, list(range(len(queries))), topics, k, folds)
    out = {"weights": weights, "cv_same_topic": round(got, 4), "cv_folds": folds, "cv_k": k}
    langs = [index.sessions[q.row].get("lang") for q in queries]
    for lang in sorted({x for x in langs if x}):
        js = [j for j, x in enumerate(langs) if x == lang]
        if len(set(langs)) > 1 and len(js) >= MIN_SESSIONS and len({queries[j].topic for j in js}) >= 2:
            out.setdefault("weights_by_lang", {})[lang] = choose_weights(r, js, topics, k, folds)[0]
    return out


def interval(values: list[float], n: int = 2000, seed: int = 0) -> tuple[float, float]:
    """95% bootstrap interval of the mean of `values` (resampling queries)."""
    v = np.asarray(values, float)
    if not len(v):
        return (float("nan"), float("nan"))
    means = v[np.random.RandomState(seed).randint(0, len(v), (n, len(v)))].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))
