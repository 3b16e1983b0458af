"""Does fine-tuning e5 as a bi-encoder (`warmline.insight.biencoder`) find similar Psy-Insight cases better than
the frozen encoders? Issue 23's two retrieval measures, cross-validated on ../shared/psy-insight-dev (100 Chinese and
100 English sessions, which stay out of the repository; skips cleanly when absent).

Protocol (fixed before any result was seen):
- 5 folds over the 200 sessions of both languages, seed 0, by group: a session and its cross-language near-duplicates
  (another-language sessions whose client turns are within cosine `index_tune.TWIN_COSINE` under USE, as
  `index eval --together` holds them out) fall in one fold. For each fold, a model is trained on the other folds'
  sessions only (both languages in one model), then embeds the fold's queries and every session's views;
- query = a session's first 3 client turns ("query: "); views: the client's turns ("query: ", as the index embeds
  them), the background and the summary ("passage: "); texts cut at 512 tokens for every e5 (frozen or tuned);
- (a) own entry: the query's own background in the top 10 of the backgrounds of the sessions of its language (dense
  only), over the sessions with a topic, a query and a background;
- (b) same topic: leave-one-out, the other sessions of the query's language ranked in each of the client,
  background and summary views (dense), fused by reciprocal rank (k = 60, weights 1, 100 deep), share of the top 5
  with the query's topic label;
- frozen e5 (`e5torch.embed`, the weights the tuned model starts from) and frozen USE (`embedding.encode`) on the
  same queries; 95% bootstrap intervals over queries (2,000 resamples), and for each variant its paired difference
  to frozen e5 (queries resampled within each language, the two languages' mean differences averaged);
- variants, run in this order: V1 (first 3 client turns -> background) pairs, 4 epochs, lr 2e-4, LoRA r 8, batch 16,
  InfoNCE at temperature 0.05, 128 tokens in training; V2 V1 plus (first 3 client turns -> summary) pairs; V3 V2 plus,
  for each training session, a pair with the background of another training session of its topic and language;
- rule: a variant wins on a measure only if its mean over the two languages beats frozen e5's by >= 0.05.
Embeddings, fold models (LoRA safetensors) and fold results are cached under --cache, so a rerun trains nothing
twice. Prints markdown tables and writes JSON.

    OMP_NUM_THREADS=1 PYTHONPATH=src python benchmarks/bench_retrieval_tuned.py [--data ../shared/psy-insight-dev]
        [--cache /tmp/biencoder-bench] [--variants V1,V2,V3] [--json out.json] [--time]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = next(
    (p for p in (ROOT.parent / "shared" / "psy-insight-dev", Path("/work/shared/psy-insight-dev")) if p.exists()),
    ROOT.parent / "shared" / "psy-insight-dev",
)
FOLDS, SEED, OWN_K, K, RRF_DEPTH, MARGIN = 5, 0, 10, 5, 100, 0.05
VARIANTS = {"V1": ("background",), "V2": ("background", "summary"), "V3": ("background", "summary", "topic")}
VIEWS = ("query", "client", "background", "summary")
QUERY_SIDE = ("query", "client")


def load(data: Path):
    from warmline.formats import read_dialogues

    return [d for lang in ("zh", "en") for d in read_dialogues(data / f"{lang}_sessions.json", "psyinsight")]


def texts_of(ds) -> dict[str, list[str]]:
    from warmline.insight.index import first_client_turns, view_text

    out = {"query": [first_client_turns(d, 3) for d in ds]}
    out.update({v: [view_text(d, v) for d in ds] for v in VIEWS[1:]})
    return out


def embed_views(texts: dict[str, list[str]], query, passage) -> dict[str, np.ndarray]:
    """Every view's unit vectors (a zero row for an empty text), the query side for the query and client views."""
    out = {}
    for view, ts in texts.items():
        side = query if view in QUERY_SIDE else passage
        has = [i for i, t in enumerate(ts) if t]
        vecs = side([ts[i] for i in has])
        full = np.zeros((len(ts), vecs.shape[1]), np.float32)
        full[has] = vecs
        out[view] = full
    return out


def cached_npz(path: Path, make) -> dict[str, np.ndarray]:
    if path.exists():
        with np.load(path) as z:
            return {k: z[k] for k in z.files}
    out = make()
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path.with_suffix(".tmp.npz"), **out)
    path.with_suffix(".tmp.npz").replace(path)
    return out


def frozen(name: str, texts, cache: Path) -> dict[str, np.ndarray]:
    def make():
        if name == "use":
            from warmline.embedding import encode

            return embed_views(texts, encode, encode)
        from warmline import e5torch

        return embed_views(texts, e5torch.embed, lambda ts: e5torch.embed(ts, prefix="passage: "))

    return cached_npz(cache / f"frozen-{name}.npz", make)


def fold_of(ds, use: dict[str, np.ndarray]) -> np.ndarray:
    """Each session's fold: groups of a session and its cross-language twins (USE client turns within
    TWIN_COSINE), the groups dealt into FOLDS folds in a shuffled order (seed SEED)."""
    from warmline.insight.index_tune import TWIN_COSINE, folds_of

    n = len(ds)
    parent = list(range(n))

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    v, ids = use["client"], [d.id for d in ds]
    close = v @ v.T >= TWIN_COSINE
    for i in range(n):
        for j in range(n):
            if (close[i, j] and ds[i].lang != ds[j].lang and v[i].any() and v[j].any()) or ids[i] == ids[j]:
                parent[root(i)] = root(j)
    groups = sorted({root(i) for i in range(n)})
    group_fold = dict(zip(groups, folds_of(len(groups), FOLDS, seed=SEED)))
    return np.array([group_fold[root(i)] for i in range(n)])


def tuned_fold(variant: str, f: int, ds, texts, fold, cache: Path) -> dict[str, np.ndarray]:
    """The views embedded by a model trained on the sessions outside fold f (cached with its loss and time)."""

    def make():
        import gc

        from warmline.insight import biencoder as B

        train = [d for d, g in zip(ds, fold) if g != f]
        pairs = B.pairs(train, VARIANTS[variant], seed=SEED)
        t0 = time.perf_counter()
        model, losses = B.fit(pairs, B.Settings(seed=SEED), progress=False)
        train_s = time.perf_counter() - t0
        model.save(cache / f"{variant}-fold{f}.safetensors", meta={"variant": variant, "fold": f, "pairs": len(pairs)})
        t0 = time.perf_counter()
        out = embed_views(texts, model, model.passage)
        embed_s = time.perf_counter() - t0
        info = {"pairs": len(pairs), "steps": len(losses), "train_s": train_s, "embed_s": embed_s, "losses": losses}
        (cache / f"{variant}-fold{f}.json").write_text(json.dumps(info))
        print(
            f"  {variant} fold {f}: {len(pairs)} pairs, {len(losses)} steps, loss {np.mean(losses[:5]):.3f} -> "
            f"{np.mean(losses[-5:]):.3f}, trained in {train_s:.0f} s, embedded in {embed_s:.0f} s",
            flush=True,
        )
        del model
        gc.collect()
        return out

    return cached_npz(cache / f"{variant}-fold{f}.npz", make)


def _ranked(q: np.ndarray, vecs: np.ndarray, rows: list[int]) -> list[int]:
    s = vecs[rows] @ q
    return [rows[i] for i in np.argsort(-s, kind="stable")]


def own_hit(E: dict[str, np.ndarray], i: int, rows: list[int]) -> float:
    """1 when session i's background is in the top OWN_K of the backgrounds of `rows` for its query."""
    return float(i in _ranked(E["query"][i], E["background"], rows)[:OWN_K])


def same_topic(E: dict[str, np.ndarray], i: int, rows_by_view: dict[str, list[int]], topics: list[str]) -> float:
    """Share of the top K (session i left out) with i's topic, the three dense views fused by reciprocal rank."""
    from warmline.insight.index_tune import share, top_k

    rankings = {
        v: [j for j in _ranked(E["query"][i], E[v], rows) if j != i][:RRF_DEPTH] for v, rows in rows_by_view.items()
    }
    return share(top_k(rankings, {}, K), topics[i], topics, K)


def score(E_of, ds, texts, fold) -> dict[str, dict[str, dict[int, float]]]:
    """measure -> lang -> {session row: score}; `E_of(f)` gives the embeddings for the queries of fold f."""
    from warmline.insight.index_eval import topic_of

    topics = [topic_of(d) for d in ds]
    out = {"own": {}, "topic": {}}
    for lang in ("zh", "en"):
        mine = [i for i, d in enumerate(ds) if d.lang == lang]
        rows = {v: [i for i in mine if texts[v][i]] for v in ("client", "background", "summary")}
        own, top = {}, {}
        for f in range(FOLDS):
            E = E_of(f)
            for i in (i for i in mine if fold[i] == f and topics[i] and texts["query"][i]):
                top[i] = same_topic(E, i, rows, topics)
                if texts["background"][i]:
                    own[i] = own_hit(E, i, rows["background"])
        out["own"][lang], out["topic"][lang] = own, top
    return out


def paired(a: dict[str, dict[int, float]], b: dict[str, dict[int, float]], n: int = 2000) -> tuple[float, tuple]:
    """Mean over languages of a - b (per query), with a 95% bootstrap interval (queries resampled per language)."""
    rng = np.random.RandomState(SEED)
    diffs = [np.array([a[lang][i] - b[lang][i] for i in sorted(a[lang])]) for lang in ("zh", "en")]
    boot = np.mean([d[rng.randint(0, len(d), (n, len(d)))].mean(1) for d in diffs], axis=0)
    return float(np.mean([d.mean() for d in diffs])), (
        float(np.percentile(boot, 2.5)),
        float(np.percentile(boot, 97.5)),
    )


def summarise(results: dict, reference: str = "frozen e5") -> dict:
    from warmline.insight.index_tune import interval

    out = {}
    for name, res in results.items():
        row = {}
        for measure, by_lang in res.items():
            cell = {
                lang: {"mean": float(np.mean(list(v.values()))), "ci": interval(list(v.values())), "n": len(v)}
                for lang, v in by_lang.items()
            }
            cell["mean_over_langs"] = float(np.mean([c["mean"] for c in cell.values()]))
            if name != reference and reference in results:
                d, ci = paired(by_lang, results[reference][measure])
                cell["diff_to_frozen_e5"], cell["diff_ci"] = d, ci
                cell["wins"] = d >= MARGIN
            row[measure] = cell
        out[name] = row
    return out


def table(summary: dict) -> None:
    names = {"own": f"own background in top {OWN_K} (background-only, dense)", "topic": f"same topic in top {K}"}
    for measure, title in names.items():
        print(f"\n### {title}\n")
        print("| encoder | zh [95%] | en [95%] | mean | minus frozen e5 [95%, paired] | wins (>= +0.05) |")
        print("|---|---|---|---|---|---|")
        for name, row in summary.items():
            c = row[measure]
            cells = [f"{c[lang]['mean']:.3f} [{c[lang]['ci'][0]:.2f}-{c[lang]['ci'][1]:.2f}]" for lang in ("zh", "en")]
            diff = (
                f"{c['diff_to_frozen_e5']:+.3f} [{c['diff_ci'][0]:+.2f}, {c['diff_ci'][1]:+.2f}]" if "wins" in c else ""
            )
            win = ("yes" if c["wins"] else "no") if "wins" in c else ""
            print(f"| {name} | {' | '.join(cells)} | {c['mean_over_langs']:.3f} | {diff} | {win} |")


def timing(texts, cache: Path, variants: list[str], n: int = 30) -> dict:
    """Median and p90 ms to embed one query (one thread), frozen e5 against a tuned model (LoRA not merged)."""
    import torch

    from warmline import e5torch
    from warmline.insight import biencoder as B

    torch.set_num_threads(1)
    qs = [t for t in texts["query"] if t][::7][:n]
    sides = {"frozen e5": lambda t: e5torch.embed([t])}
    tuned = next(
        (cache / f"{v}-fold0.safetensors" for v in variants if (cache / f"{v}-fold0.safetensors").exists()), None
    )
    if tuned is not None:
        model = B.BiEncoder.load(tuned)
        sides[f"tuned ({tuned.stem})"] = lambda t: model([t])
    out = {}
    for name, embed in sides.items():
        embed("warm up")
        ms = []
        for q in qs:
            t0 = time.perf_counter()
            embed(q)
            ms.append(1000 * (time.perf_counter() - t0))
        out[name] = {"median_ms": statistics.median(ms), "p90_ms": sorted(ms)[int(0.9 * len(ms))], "queries": len(ms)}
        print(f"embedding one query, {name}: median {out[name]['median_ms']:.0f} ms, p90 {out[name]['p90_ms']:.0f} ms")
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT)
    ap.add_argument("--cache", type=Path, default=Path("/tmp/biencoder-bench"))
    ap.add_argument("--variants", default="V1,V2,V3")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--time", action="store_true", help="also time embedding one query, frozen e5 against tuned")
    args = ap.parse_args(argv)
    if not (args.data / "zh_sessions.json").exists():
        print(f"skipped: {args.data} not found (Psy-Insight sessions for measuring stay outside the repository)")
        return 0
    import torch

    from warmline.insight import biencoder as B

    torch.set_num_threads(1)
    ds = load(args.data)
    texts = texts_of(ds)
    frozen_use = frozen("use", texts, args.cache)
    fold = fold_of(ds, frozen_use)
    sizes = np.bincount(fold, minlength=FOLDS).tolist()
    print(f"{len(ds)} sessions, folds of {sizes} (twins kept together), seed {SEED}", flush=True)
    frozen_e5 = frozen("e5", texts, args.cache)
    results = {
        "frozen e5": score(lambda f: frozen_e5, ds, texts, fold),
        "frozen use": score(lambda f: frozen_use, ds, texts, fold),
    }
    runs = {}
    for variant in [v for v in args.variants.split(",") if v]:
        if variant not in VARIANTS:
            raise SystemExit(f"unknown variant {variant}: use {', '.join(VARIANTS)}")
        folds = {f: tuned_fold(variant, f, ds, texts, fold, args.cache) for f in range(FOLDS)}
        results[f"tuned {variant}"] = score(folds.__getitem__, ds, texts, fold)
        runs[variant] = [json.loads((args.cache / f"{variant}-fold{f}.json").read_text()) for f in range(FOLDS)]
        for r in runs[variant]:
            r.pop("losses", None)
    summary = summarise(results)
    table(summary)
    out = {
        "signature": {
            "data": str(args.data),
            "folds": FOLDS,
            "seed": SEED,
            "fold_sizes": sizes,
            "query": "first 3 client turns",
            "own": f"own background in the top {OWN_K} of the language's backgrounds, dense",
            "topic": f"same topic in the top {K}, leave-one-out, client+background+summary dense views, RRF k=60",
            "interval": "95% bootstrap over queries (2,000)",
            "rule": f"a variant wins if its mean over languages beats frozen e5 by >= {MARGIN}",
            "variants": {v: list(k) for v, k in VARIANTS.items()},
            "training": B.Settings(seed=SEED).__dict__,
        },
        "summary": summary,
        "runs": runs,
    }
    if args.time:
        out["timing"] = timing(texts, args.cache, list(runs))
    if args.json:
        args.json.write_text(json.dumps(out, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
