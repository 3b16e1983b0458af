"""`warmline index eval`: how well the case index finds similar sessions, on any topic-labelled sessions.

Per language, the sessions are indexed, and each session with a topic label is asked for with its first
N client turns; the session itself is always left out of its own results. Measured:
- same-topic share: of the top k results, how many share the query session's topic (against chance:
  the share of the other sessions with that topic);
- cross-view check: with an index of background labels only, is the query session's own entry in the
  top `own_k` (does the encoder map a client's words to a third-person summary of them?);
- milliseconds per query (embedding the query and searching).
The topic view learns from the indexed sessions' topic labels, so it is cross-fitted: the sessions are split
into folds, and a query's topic view is fitted without its fold. The views' weights are chosen for each fold
by an inner cross-validation over the other folds' sessions (the fold left out of it entirely), so the
figure is not the one the weights were chosen on. Shares carry a 95% bootstrap interval over queries."""

from __future__ import annotations

import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from ..conversation import Dialogue
from .index import DEFAULT_VIEWS, CaseIndex, build, first_client_turns
from .index_tune import GRID, MIN_SESSIONS, Query, Rankings, choose_weights, folds_of, interval, share, top_k

GOALS = {"same_topic": 0.5, "own_in_top": 0.8, "ms_per_query": 20.0}
FOLDS, INNER_FOLDS = 10, 5


@dataclass
class LangReport:
    lang: str
    sessions: int
    queries: int
    same_topic: float  # mean share of the top k sharing the query's topic
    same_topic_ci: tuple[float, float]  # its 95% bootstrap interval over queries
    chance: float  # mean share of the other sessions sharing it
    own_queries: int  # queries whose session has a background label
    own_in_top: float | None  # share of those found in the top own_k of the background-only index
    own_ci: tuple[float, float] | None
    ms_per_query: float
    weights: dict  # the weights chosen in the folds ("topic=5 bm25=1": number of folds)


def topic_of(d: Dialogue | dict) -> str:
    """A session's (first) topic label, from a dialogue or an index record; "" when it has none."""
    v = (d.labels if isinstance(d, Dialogue) else d).get("topic")
    if isinstance(v, list):
        v = v[0] if v else ""
    return v.strip() if isinstance(v, str) else ""


def query_text(d: Dialogue, n_turns: int = 3) -> str:
    return first_client_turns(d, n_turns)


def cached(embedder):
    """The embedder with a memory of texts already embedded (the two indexes share the background view),
    for its query side and, when it has one, its passage side."""

    def remember(side):
        memo: dict[str, np.ndarray] = {}

        def embed(texts: list[str]) -> np.ndarray:
            todo = list(dict.fromkeys(t for t in texts if t not in memo))
            if todo:
                memo.update(zip(todo, side(todo)))
            return np.stack([memo[t] for t in texts])

        return embed

    embed = remember(embedder)
    if hasattr(embedder, "passage"):
        embed.passage = remember(embedder.passage)
    return embed


def _same_topic(
    index: CaseIndex, ds: list[Dialogue], queries: list[int], n_turns: int, k: int, other: frozenset[int] = frozenset()
) -> tuple[list[float], float, dict]:
    """Per query, the share of its top k with its topic (cross-fitted, weights chosen by inner
    cross-validation); the mean chance; how often each weighting was chosen. `other`: rows of `ds` (the
    index's sessions) never returned to these queries (another language's)."""
    topics = [topic_of(d) for d in ds]
    qs = [Query(i, query_text(ds[i], n_turns), topics[i], other) for i in queries]
    r = Rankings(index, qs)
    fold = folds_of(len(ds), FOLDS)
    shares, chosen = [], {}
    for f in sorted({int(fold[q.row]) for q in qs}):
        out = frozenset(np.flatnonzero(fold == f).tolist())
        train = [j for j, q in enumerate(qs) if q.row not in out]
        weights = dict(GRID[0])
        if len(train) >= MIN_SESSIONS:
            weights = choose_weights(r, train, topics, k, INNER_FOLDS, drop=out)[0]
        name = " ".join(f"{v}={w:g}" for v, w in weights.items())
        chosen[name] = chosen.get(name, 0) + 1
        for j, q in enumerate(qs):
            if q.row in out:
                shares.append(share(top_k(r.of(j, out), weights, k), q.topic, topics, k))
    mine = [t for i, t in enumerate(topics) if i not in other]
    chance = float(np.mean([(mine.count(q.topic) - 1) / (len(mine) - 1) for q in qs]))
    return shares, chance, chosen


def _ms_per_query(index: CaseIndex, ds: list[Dialogue], queries: list[int], n_turns: int, k: int) -> float:
    """Median time of a search as a reply makes it (nothing left out, so the topic view is fitted once),
    embedding the query included: texts not embedded before, so that no cache hides the encoder."""
    index.search("warm up", k)
    seconds = []
    for i in queries[:50]:
        t0 = time.perf_counter()
        index.search(query_text(ds[i], n_turns) + " ", k, lang=ds[i].lang)
        seconds.append(time.perf_counter() - t0)
    return 1000 * float(np.median(seconds))


def _own_in_top(index: CaseIndex, ds: list[Dialogue], queries: list[int], n_turns: int, own_k: int) -> list[float]:
    return [
        float(ds[i].id in {h.session["id"] for h in index.search(query_text(ds[i], n_turns), own_k)}) for i in queries
    ]


def evaluate_lang(
    ds: list[Dialogue],
    embedder,
    work: Path,
    n_turns: int = 3,
    k: int = 5,
    own_k: int = 10,
    views: tuple[str, ...] = DEFAULT_VIEWS,
    lexical: bool = True,
    embed: str = "use",
    lang: str | None = None,
) -> LangReport:
    """The measures for one language's sessions; `embedder` embeds, `embed` names it in the index (its spec).
    With `lang`, `ds` holds every language, all indexed together (the topic view learns from them all), and
    the sessions in `lang` are asked about, each answered with sessions in its own language."""
    lang = lang or (ds[0].lang if ds else "?")
    mine = [i for i, d in enumerate(ds) if d.lang == lang]
    other = frozenset(i for i, d in enumerate(ds) if d.lang != lang)
    queries = [i for i in mine if topic_of(ds[i]) and query_text(ds[i], n_turns)]
    if len(mine) < k + 1 or not queries:
        raise ValueError(
            f"{lang}: need more than {k} sessions and some with a topic label and client turns "
            f"(have {len(mine)} sessions, {len(queries)} usable as queries)"
        )
    if not (work / "all" / "index.json").exists():  # one index for every language when they are together
        # the weights are chosen per fold below, not once on all the sessions asked about
        build(ds, work / "all", embed, views=views, lexical=lexical, embedder=embedder, tune=False)
    index = CaseIndex(work / "all", embedder)
    shares, chance, chosen = _same_topic(index, ds, queries, n_turns, k, other)
    # timed as a reply searches: the index with its own encoder (for USE, one BLAS thread), not the
    # evaluation's, which embeds many texts at once
    ms = _ms_per_query(CaseIndex(work / "all") if embed == "use" else index, ds, queries, n_turns, k)
    own_ds = [ds[i] for i in mine]
    own = [j for j, d in enumerate(own_ds) if topic_of(d) and query_text(d, n_turns) and _has_background(d)]
    found = []
    if own:
        build(own_ds, work / lang, embed, views=("background",), lexical=lexical, embedder=embedder, tune=False)
        found = _own_in_top(CaseIndex(work / lang, embedder), own_ds, own, n_turns, own_k)
    return LangReport(
        lang,
        len(mine),
        len(queries),
        float(np.mean(shares)),
        interval(shares),
        chance,
        len(own),
        float(np.mean(found)) if found else None,
        interval(found) if found else None,
        ms,
        chosen,
    )


def _has_background(d: Dialogue) -> bool:
    return isinstance(d.labels.get("background"), str) and bool(d.labels["background"].strip())


def evaluate(
    dialogues: list[Dialogue],
    n_turns: int = 3,
    k: int = 5,
    own_k: int = 10,
    embed: str = "use",
    base_url: str | None = None,
    views: tuple[str, ...] = DEFAULT_VIEWS,
    lexical: bool = True,
    embedder=None,
    together: bool = False,
) -> dict:
    """Per language, the measures above, with how they were made (JSON-ready). `together`: one index of all
    the languages, as `warmline index` builds from a mixed corpus (each query answered in its own language;
    the topic view learns from every language); else one index per language."""
    name = "custom"
    if embedder is None:
        from ..analyze.semantic import make_embedder

        embedder, name = make_embedder(embed, base_url)
    embedder = cached(embedder)
    reports = []
    with tempfile.TemporaryDirectory(prefix="warmline-index-eval-") as tmp:
        for lang in sorted({d.lang for d in dialogues}):
            ds, work = ([d for d in dialogues if d.lang == lang], Path(tmp) / lang)
            if together:
                ds, work = dialogues, Path(tmp) / "together"
            reports.append(evaluate_lang(ds, embedder, work, n_turns, k, own_k, views, lexical, embed, lang))
    return {
        "signature": {
            "embedder": name,
            "views": list(views),
            "lexical": "bm25 (bm25s), jieba words for zh" if lexical else None,
            "fusion": "reciprocal rank, k=60",
            "topic_view": f"cross-fitted, {FOLDS} folds by session",
            "weights": f"chosen per fold by {INNER_FOLDS}-fold cross-validation on the other folds",
            "interval": "95% bootstrap over queries",
            "index": "one for all languages, answers in the query's language" if together else "one per language",
            "query": f"first {n_turns} client turns",
            "k": k,
            "own_k": own_k,
            "leave_one_out": True,
        },
        "goals": GOALS,
        "languages": [asdict(r) for r in reports],
    }
