"""Case retrieval: an index of counseling sessions with their labels, searched by the client's words.

A session is indexed under several views, because a query is a client's first-person words while a
label such as the background is a third-person summary: the client's own turns, the background label
and the summary, each embedded (the offline multilingual encoder by default, or any `--embed` that
`warmline stats` takes), and a lexical view (BM25 over content words of all of them). A query is ranked
in each view and the rankings are fused by reciprocal rank (RRF), so no view's score scale has to be
calibrated against another's. Dense search uses FAISS when it is installed, numpy otherwise; the
results are the same."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..conversation import Dialogue

FORMAT = 2
VIEWS = ("client", "background", "summary", "guide")
DEFAULT_VIEWS = ("client", "background", "summary")
RRF_K = 60  # the constant of Cormack et al. (2009): a view's top ranks count, its tail hardly does
TOPIC_L2 = 1e-3
# e5's vectors crowd together (cosines of 0.8-0.95 between unrelated texts), so its topic view needs less
# shrinkage to tell topics apart; the values are those that did best on the development sessions
TOPIC_L2_BY_EMBEDDER = {"e5": 1e-5, "e5+use": 1e-4}
TOPIC_WEIGHT = 5.0
TOPIC_EXTRA: tuple[str, ...] = ()
DEPTH = 100  # ranks kept per view before fusing
# With an asymmetric encoder (e5), the views embedded as queries rather than as passages: the client's own
# turns are the same kind of text as a query, the labels are third-person passages.
QUERY_SIDE_VIEWS: tuple[str, ...] = ("client",)


def concern(d: Dialogue, max_chars: int = 600) -> str:
    bg = d.labels.get("background")
    if isinstance(bg, str) and bg.strip():
        return bg.strip()[:max_chars]
    return "\n".join(t.text for t in d.turns if t.role == "client")[:max_chars]


def view_text(d: Dialogue, view: str, max_chars: int = 1000) -> str:
    """The text a session is indexed under in `view` ("" when it has none)."""
    if view == "client":
        return "\n".join(t.text for t in d.turns if t.role == "client")[:max_chars]
    v = d.labels.get(view)
    if isinstance(v, list):
        v = " ".join(str(x) for x in v)
    return v.strip()[:max_chars] if isinstance(v, str) else ""


def record_topic(record: dict) -> str:
    """A session record's (first) topic label; "" when it has none."""
    v = record.get("topic")
    if isinstance(v, list):
        v = v[0] if v else ""
    return v.strip() if isinstance(v, str) else ""


def session_record(d: Dialogue) -> dict:
    first = next((t.text for t in d.turns if t.role == "client"), "")
    return {
        "id": d.id,
        "lang": d.lang,
        "concern": concern(d),
        "first_client_turn": first[:300],
        **{k: d.labels[k] for k in ("guide", "summary", "topic", "psychotherapy", "background") if d.labels.get(k)},
    }


def build(
    dialogues: list[Dialogue],
    out: Path,
    embed: str = "use",
    base_url: str | None = None,
    progress=None,
    views: tuple[str, ...] = DEFAULT_VIEWS,
    lexical: bool = True,
    embedder=None,
    topic_view: bool = True,
    tune: bool = True,
) -> dict:
    """Write an index of `dialogues` to `out`. `embedder` (texts -> unit vectors) replaces `embed` when given.
    With `tune`, the views' weights in the fusion are chosen by cross-validation over the topic-labelled
    sessions (their first client turns as queries) and saved with the index."""
    bad = [v for v in views if v not in VIEWS]
    if bad or not (views or lexical):
        raise ValueError(f"views must be some of {', '.join(VIEWS)} (got {', '.join(views) or 'none'})")
    records = [session_record(d) for d in dialogues]
    if not records:
        raise ValueError("no sessions to index")
    name = "custom"
    if embedder is None and views:
        from ..analyze.semantic import make_embedder

        embedder, name = make_embedder(embed, base_url, progress=progress)
    out.mkdir(parents=True, exist_ok=True)
    counts = {}
    for view in views:
        texts = [view_text(d, view) for d in dialogues]
        has = np.array([bool(t) for t in texts])
        counts[view] = int(has.sum())
        if not has.any():
            continue
        side = embedder if view in QUERY_SIDE_VIEWS else getattr(embedder, "passage", embedder)
        vecs = side([t for t in texts if t]).astype(np.float32)
        full = np.zeros((len(texts), vecs.shape[1]), np.float32)
        full[has] = vecs
        np.save(out / f"view-{view}.npy", full)
        np.save(out / f"has-{view}.npy", has)
    if lexical:
        from .lexical import Lexical

        docs = ["\n".join(view_text(d, v) for v in VIEWS if v in views or not views) for d in dialogues]
        Lexical.build(docs, [d.lang for d in dialogues]).save(out / "bm25")
    with (out / "sessions.jsonl").open("w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    meta = {
        "format": FORMAT,
        "embedder": embed,
        "embedder_name": name,
        "query_side_views": [v for v in views if v in QUERY_SIDE_VIEWS] if hasattr(embedder, "passage") else [],
        "sessions": len(records),
        "views": counts,
        "lexical": lexical,
        "fusion": f"rrf k={RRF_K}",
        "topic_view": bool(topic_view and counts.get("client")),
        "topic_l2": TOPIC_L2_BY_EMBEDDER.get(embed, TOPIC_L2),
        "with_guide": sum(1 for r in records if r.get("guide")),
        "with_summary": sum(1 for r in records if r.get("summary")),
    }
    (out / "index.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
    if tune:
        from .index_tune import Query, tune_index

        index = CaseIndex(out, embedder)
        queries = [  # as a reply asks: cases in the client's language
            Query(i, first_client_turns(d), record_topic(r), index.other_languages(d.lang))
            for i, (d, r) in enumerate(zip(dialogues, records))
            if record_topic(r) and first_client_turns(d)
        ]
        chosen = tune_index(index, queries)
        if chosen:
            meta.update(chosen)
            (out / "index.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return meta


def first_client_turns(d: Dialogue, n: int = 3) -> str:
    """A session's first n client turns, one a line: what a client has said when a reply asks for cases."""
    return "\n".join([t.text for t in d.turns if t.role == "client"][:n])


@dataclass
class Hit:
    score: float
    session: dict
    ranks: dict = field(default_factory=dict)  # the session's rank (1-based) in each view that found it


def similarities(vectors: np.ndarray, q: np.ndarray) -> np.ndarray:
    """vectors @ q for one query, without BLAS: OpenBLAS splits a matrix-vector product over threads that
    spin while they wait, which on a small busy machine costs tens of times this plain loop
    (docs/insight-rounds.md)."""
    return np.einsum("ij,j->i", vectors, q)


def rrf(rankings: dict[str, list[int]], k: int = RRF_K, weights: dict[str, float] | None = None) -> dict[int, float]:
    """Reciprocal rank fusion: each ranked list gives its r-th item weight / (k + r)."""
    fused: dict[int, float] = {}
    for name, ranked in rankings.items():
        w = (weights or {}).get(name, 1.0)
        if not w:  # a view weighed 0 is off: it must not bring sessions in at a score of 0
            continue
        for r, i in enumerate(ranked, 1):
            fused[i] = fused.get(i, 0.0) + w / (k + r)
    return fused


class TopicView:
    """The sessions ranked by how likely their topic label is for the query: multinomial logistic regression
    from the client-turn embeddings of the indexed sessions to their topics. Sessions whose topic is
    likelier come first, the most similar client turns first among them. Fitted when first needed, and
    again without a session that evaluation leaves out (so it never learns from the session asked about)."""

    def __init__(
        self,
        vectors: np.ndarray,
        has: np.ndarray,
        topics: list[str],
        l2: float = TOPIC_L2,
        extra: list[tuple[np.ndarray, np.ndarray]] = (),
    ):
        self.vectors, self.has, self.topics, self.l2 = vectors, has, topics, l2
        self.extra = list(extra)  # other views of the same sessions, as more examples of their topics
        self.classes = sorted({t for t, h in zip(topics, has) if t and h})
        self._fits: dict[frozenset[int], tuple[np.ndarray, np.ndarray]] = {}

    def usable(self) -> bool:
        return len(self.classes) >= 2

    def fit(self, unseen: frozenset[int] = frozenset()) -> tuple[np.ndarray, np.ndarray]:
        """The model fitted without the sessions (rows) in `unseen`: evaluation leaves out the sessions it
        asks about, so that no query is helped by its own topic label."""
        key = frozenset(unseen)
        if key not in self._fits:
            from .classify import fit_softmax

            X, y = [], []
            for vectors, has in [(self.vectors, self.has)] + self.extra:
                rows = [i for i, (t, h) in enumerate(zip(self.topics, has)) if t in self.classes and h and i not in key]
                X.append(vectors[rows])
                y += [self.classes.index(self.topics[i]) for i in rows]
            if len(self._fits) > 64:  # evaluation leaves out one fold after another
                self._fits.clear()
            self._fits[key] = fit_softmax(np.concatenate(X).astype(np.float64), np.array(y), len(self.classes), self.l2)
        return self._fits[key]

    def ranking(self, q: np.ndarray, skip: set[int], depth: int, unseen: set[int] | None = None) -> list[int]:
        """Sessions by the probability of their topic for query vector `q`, the rows in `skip` left out; the
        model is fitted without `unseen` (default: without `skip`)."""
        W, b = self.fit(frozenset(skip if unseen is None else unseen))
        z = q @ W + b
        p = np.exp(z - z.max())
        p /= p.sum()
        prob = {c: p[j] for j, c in enumerate(self.classes)}
        score = np.array([prob.get(t, 0.0) if h else -1.0 for t, h in zip(self.topics, self.has)])
        score = score + 1e-3 * similarities(self.vectors, q)  # ties within a topic: the closest client turns first
        ranked = np.argsort(-score, kind="stable")[: depth + len(skip)].tolist()
        return [i for i in ranked if self.has[i] and i not in skip][:depth]


class CaseIndex:
    def __init__(self, path: Path, embedder=None):
        self.path = Path(path)
        meta_file = self.path / "index.json"
        if not meta_file.exists():
            raise ValueError(
                f"{self.path} is not a warmline index (no index.json); build one with "
                "`warmline index DATA --output DIR`"
            )
        self.meta = json.loads(meta_file.read_text(encoding="utf-8"))
        fmt = self.meta.get("format", 1)
        if fmt > FORMAT:
            raise ValueError(
                f"{self.path} was written by a newer warmline (index format {fmt}); upgrade warmline "
                "or rebuild it with `warmline index DATA --output DIR`"
            )
        self.sessions = [
            json.loads(x) for x in (self.path / "sessions.jsonl").read_text(encoding="utf-8").splitlines() if x
        ]
        self.views: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        if fmt == 1:  # one view, the concern (background label, else client turns)
            v = np.load(self.path / "vectors.npy").astype(np.float32)
            self.views["concern"] = (v, np.ones(len(v), bool))
        for view, count in (self.meta.get("views", {}) if fmt >= 2 else {}).items():
            if not count:
                continue
            self.views[view] = (
                np.load(self.path / f"view-{view}.npy").astype(np.float32),
                np.load(self.path / f"has-{view}.npy"),
            )
        self.lexical = None
        if self.meta.get("lexical"):
            from .lexical import Lexical

            self.lexical = Lexical.load(self.path / "bm25")
        self.topic_view = None
        if self.meta.get("topic_view") and "client" in self.views:
            tv = TopicView(
                *self.views["client"],
                [record_topic(r) for r in self.sessions],
                self.meta.get("topic_l2", TOPIC_L2),
                extra=[self.views[v] for v in TOPIC_EXTRA if v in self.views],
            )
            self.topic_view = tv if tv.usable() else None
        self._embed = embedder
        self._faiss = {}
        try:
            import faiss

            for view, (v, _has) in self.views.items():
                self._faiss[view] = faiss.IndexFlatIP(v.shape[1])
                self._faiss[view].add(v)
        except ImportError:
            pass

    @property
    def engine(self) -> str:
        return "faiss" if self._faiss else "numpy"

    def embed(self, texts: list[str]) -> np.ndarray:
        if self._embed is None and self.meta["embedder"] == "use":
            from ..embedding import encode

            # a reply embeds one short query: one BLAS thread, since a second one spins while it waits and,
            # on a small shared machine, made a query several times slower (docs/insight-rounds.md)
            self._embed = lambda t: encode(t, threads=1)
        if self._embed is None:
            from ..analyze.semantic import make_embedder

            self._embed = make_embedder(self.meta["embedder"])[0]
        return self._embed(texts)

    def rankings(
        self, text: str, depth: int = DEPTH, exclude: str | None = None, skip: set[int] = frozenset(), topic=True
    ) -> dict[str, list[int]]:
        """Per view, the row numbers of the best `depth` sessions for `text`, best first (sessions without
        that view, the session `exclude` and the rows in `skip` left out; the topic view, when `topic`, is
        fitted without the session `exclude`, and learns from the rows in `skip`)."""
        n = len(self.sessions)
        depth = min(depth, n)
        excluded = {i for i, s in enumerate(self.sessions) if s["id"] == exclude} if exclude else set()
        skip = set(skip) | excluded
        out = {}
        if self.views:
            q = self.embed([text]).astype(np.float32)
        for view, (v, has) in self.views.items():
            if self._faiss and view in self._faiss:
                scores, idx = self._faiss[view].search(q, min(n, depth + len(skip)))
                ranked = [i for s, i in zip(scores[0].tolist(), idx[0].tolist()) if i >= 0]
            else:
                s = similarities(v, q[0])
                ranked = np.argsort(-s, kind="stable")[: depth + len(skip)].tolist()
            out[view] = [i for i in ranked if has[i] and i not in skip][:depth]
        if topic and self.topic_view is not None:
            out["topic"] = self.topic_view.ranking(q[0], skip, depth, unseen=excluded)
        if self.lexical is not None:
            s = self.lexical.scores(text)
            ranked = np.argsort(-s, kind="stable")[: depth + len(skip)].tolist()
            out["bm25"] = [i for i in ranked if s[i] > 0 and i not in skip][:depth]
        return out

    def weights(self, lang: str | None = None) -> dict[str, float]:
        """The views' weights in the fusion: those chosen by cross-validation when the index was built
        (`index.json`; for `lang`, those chosen on its sessions when it had enough), else the defaults."""
        chosen = self.meta.get("weights_by_lang", {}).get(lang) if lang else None
        return chosen or self.meta.get("weights") or {"topic": TOPIC_WEIGHT}

    def other_languages(self, lang: str | None) -> frozenset[int]:
        """Rows of sessions in another language than `lang`; none when no session is in `lang` (an index
        of other languages still answers)."""
        rows = frozenset(i for i, r in enumerate(self.sessions) if r.get("lang") != lang)
        return rows if lang and len(rows) < len(self.sessions) else frozenset()

    def search(self, text: str, k: int = 3, exclude: str | None = None, lang: str | None = None) -> list[Hit]:
        """The k sessions most similar to `text`, by reciprocal rank fusion over the views; with `lang`, only
        sessions in that language (the topic view still learns from them all)."""
        rankings = self.rankings(text, max(DEPTH, k), exclude, skip=self.other_languages(lang))
        fused = rrf(rankings, weights=self.weights(lang))
        top = sorted(fused, key=lambda i: (-fused[i], i))[:k]
        return [
            Hit(fused[i], self.sessions[i], {v: r.index(i) + 1 for v, r in rankings.items() if i in r}) for i in top
        ]


def context_block(hits: list[Hit], lang: str = "en") -> str:
    """The guide and summary of similar past cases, for the system prompt."""
    if not hits:
        return ""
    head = (
        "以下是与来访者情况相似的过往个案，供你参考思路（不要提及它们）："
        if lang == "zh"
        else "Similar past cases, for your approach only (do not mention them):"
    )
    lines = [head]
    for i, h in enumerate(hits, 1):
        s = h.session
        parts = [f"{i}. {s.get('concern', '')[:200]}"]
        if s.get("guide"):
            parts.append(("指导：" if lang == "zh" else "Guide: ") + str(s["guide"])[:400])
        if s.get("summary"):
            parts.append(("总结：" if lang == "zh" else "Summary: ") + str(s["summary"])[:400])
        lines.append("\n   ".join(parts))
    return "\n".join(lines)


def with_cases(
    messages: list[dict], index: CaseIndex, k: int, lang: str, exclude: str | None = None
) -> tuple[list[dict], list[Hit]]:
    """Messages with the k most similar cases (to the client's turns so far) added to the system prompt,
    cases in the client's language `lang` when the index has any. `exclude`: a session id never to return
    (in evaluation, the test item's own dialogue)."""
    query = "\n".join(m["content"] for m in messages if m["role"] == "user")[-600:]
    hits = index.search(query, k, exclude, lang) if query else []
    block = context_block(hits, lang)
    if not block:
        return messages, hits
    if messages and messages[0]["role"] == "system":
        return [{"role": "system", "content": messages[0]["content"] + "\n\n" + block}] + messages[1:], hits
    return [{"role": "system", "content": block}] + messages, hits
