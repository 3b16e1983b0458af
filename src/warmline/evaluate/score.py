"""Scoring a system: every metric at once from shared statistics, with signatures, bootstrap confidence
intervals, paired bootstrap between systems, and presets that reproduce how peers computed their
tables."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from importlib import metadata

import numpy as np

from .. import __version__
from ..text.tokenize import default_tokenizer, tok_label, tokenize_all
from . import metrics as M


@dataclass(frozen=True)
class Spec:
    """How the numbers are made. `tokenize` None means char for Chinese, 13a for English."""

    tokenize: str | None = None
    bleu_tokenize: str | None = None
    rouge_tokenize: str | None = None
    rouge: str = "counts"  # counts: rouge-score's definition; sets: rouge-chinese's
    smoothing: str = "method3"
    scale: float = 1.0
    lowercase: bool = False
    doc: str = (
        "warmline defaults: char tokens for Chinese, 13a for English; nltk-compatible sentence BLEU "
        "(method3) and sacrebleu corpus BLEU; rouge-score F; Distinct over the corpus"
    )


PRESETS = {
    "default": Spec(),
    "llamafactory": Spec(
        bleu_tokenize="char-raw",
        rouge_tokenize="jieba",
        rouge="sets",
        smoothing="method3",
        scale=100,
        doc="LLaMA-Factory's compute_metrics: BLEU-4 on list(text) characters with nltk sentence_bleu "
        "and SmoothingFunction().method3; ROUGE-1/2/L F of rouge-chinese on jieba words joined "
        "by spaces; the mean over samples x 100",
    ),
    "smile": Spec(
        tokenize="char",
        rouge="counts",
        smoothing="method3",
        doc="SMILE: character level throughout (BLEU-1..4, ROUGE, Distinct-1/2/3 over the corpus)",
    ),
    "emollm": Spec(
        tokenize="jieba",
        rouge="sets",
        smoothing="method1",
        scale=100,
        doc="EmoLLM-style: jieba words for everything, nltk sentence BLEU with method1, rouge-chinese, x 100",
    ),
    "esconv": Spec(
        tokenize="13a",
        lowercase=True,
        rouge="counts",
        smoothing="method1",
        doc="ESConv-style English: lowercased 13a words, BLEU-1..4 with method1, ROUGE-L, Distinct-1/2 "
        "(an approximation: ESConv tokenized with NLTK's word_tokenize, which needs downloaded data)",
    ),
}


def _ver(pkg: str) -> str:
    try:
        return metadata.version(pkg)
    except metadata.PackageNotFoundError:
        return "n/a"


@dataclass
class Scores:
    n: int
    preset: str
    scores: dict = field(default_factory=dict)
    ci: dict = field(default_factory=dict)
    signatures: dict = field(default_factory=dict)
    per_item: dict = field(default_factory=dict)
    counts: dict = field(default_factory=dict)

    def to_dict(self, per_item: bool = False) -> dict:
        d = asdict(self)
        if not per_item:
            d.pop("per_item")
        return d


def score(
    hyps: list[str],
    refs: list[str],
    preset: str = "default",
    tokenize: str | None = None,
    meteor: bool = True,
    bootstrap: int = 1000,
    seed: int = 0,
    bertscore: str | None = None,
    embedding: bool = False,
) -> Scores:
    """Score one reply per reference. `bertscore`: a model directory (or 'default' for the English
    MiniLM shipped on PyPI); `embedding`: cosine of multilingual sentence embeddings."""
    if len(hyps) != len(refs):
        raise ValueError(f"{len(hyps)} replies but {len(refs)} references: one reference per reply is needed")
    if not hyps:
        raise ValueError("nothing to score")
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}")
    spec = PRESETS[preset]
    if spec.lowercase:
        hyps, refs = [h.lower() for h in hyps], [r.lower() for r in refs]
    run = _Run(
        hyps, refs, spec, tokenize or spec.tokenize or default_tokenizer(refs), tokenize, Scores(len(hyps), preset)
    )
    st = _bleu(run)
    _rouge(run, st)
    if meteor:
        _meteor(run)
    _distinct(run)
    _model_based(run, bertscore, embedding)
    for name, vals in run.out.per_item.items():
        run.out.scores[name] = float(np.mean(vals))
    if bootstrap:
        run.out.ci = bootstrap_ci(run.out.per_item, st, spec.scale, bootstrap, seed)
    return run.out


@dataclass
class _Run:
    """One scoring run: the texts, how they are tokenized (each tokenization done once) and the results so far."""

    hyps: list[str]
    refs: list[str]
    spec: Spec
    base: str
    override: str | None
    out: Scores
    toks: dict = field(default_factory=dict)

    def tok(self, name: str) -> tuple:
        if name not in self.toks:
            self.toks[name] = (tokenize_all(self.hyps, name), tokenize_all(self.refs, name))
        return self.toks[name]

    @property
    def btok(self) -> str:
        return self.override or self.spec.bleu_tokenize or self.base

    @property
    def rtok(self) -> str:
        return self.override or self.spec.rouge_tokenize or self.base

    @property
    def common(self) -> str:
        return f"nrefs:1|case:{'lc' if self.spec.lowercase else 'mixed'}|warmline:{__version__}"


def _bleu(run: _Run) -> M.Stats:
    """Sentence BLEU-1..4 (cumulative and individual) per item and corpus BLEU; returns the statistics."""
    spec, btok, item, sig = run.spec, run.btok, run.out.per_item, run.out.signatures
    st = M.stats(*run.tok(btok), need_lcs=(run.rtok == btok))
    for n in (1, 2, 3, 4):
        for kind, suffix in (("cumulative", ""), ("individual", "-ind")):
            item[f"bleu-{n}{suffix}"] = (M.sentence_bleu_all(st, n, kind, spec.smoothing) * spec.scale).tolist()
            sig[f"bleu-{n}{suffix}"] = (
                f"bleu|n:{n}|{kind}|avg:sentence-mean|smooth:{spec.smoothing}|"
                f"tok:{tok_label(btok)}|impl:nltk-{_ver('nltk')}-compatible|{run.common}"
            )
        run.out.scores[f"corpus-bleu-{n}"] = M.corpus_bleu(st, n) * spec.scale
        sig[f"corpus-bleu-{n}"] = (
            f"bleu|n:{n}|cumulative|avg:corpus|smooth:exp|tok:{tok_label(btok)}|"
            f"impl:sacrebleu-{_ver('sacrebleu')}-compatible|{run.common}"
        )
    return st


def _rouge(run: _Run, bleu_stats: M.Stats) -> None:
    if run.spec.rouge == "sets":
        from ..text.tokenize import joined_tokens

        words = [[M.rouge_chinese_words(t) for t in joined_tokens(side, run.rtok)] for side in (run.hyps, run.refs)]
        rs = M.rouge_sets_all(M.stats(*words))
        impl = f"rouge-chinese-{_ver('rouge-chinese')}-compatible (set n-grams, F=2PR/(P+R+1e-8))"
    else:
        rs = M.rouge_counts_all(bleu_stats if run.rtok == run.btok else M.stats(*run.tok(run.rtok)))
        impl = f"rouge-score-{_ver('rouge-score')}-compatible (count n-grams)"
    for k, name in (("rouge1", "rouge-1"), ("rouge2", "rouge-2"), ("rougeL", "rouge-l")):
        run.out.per_item[name] = (rs[k] * run.spec.scale).tolist()
        run.out.signatures[name] = f"{name}|F|avg:mean|tok:{tok_label(run.rtok)}|impl:{impl}|{run.common}"


def _meteor(run: _Run) -> None:
    vals, wn = M.meteor(*run.tok(run.btok))
    run.out.per_item["meteor"] = [v * run.spec.scale for v in vals]
    run.out.signatures["meteor"] = (
        f"meteor|alpha:0.9|beta:3|gamma:0.5|synonyms:{wn}|stem:porter|"
        f"tok:{tok_label(run.btok)}|impl:nltk-{_ver('nltk')}|{run.common}"
    )


def _distinct(run: _Run) -> None:
    """Distinct-1/2/3 over the replies, for the corpus and per reply."""
    dtok = run.override or run.spec.tokenize or run.base
    if dtok in run.toks:
        d = M.distinct(run.toks[dtok][0], 3)
    else:  # replies only; characters straight from the text as arrays
        from ..text.ngrams import distinct_texts

        d = distinct_texts(run.hyps, dtok, 3)
    sc, sig, scale = run.out.scores, run.out.signatures, run.spec.scale
    for n in (1, 2, 3):
        sc[f"distinct-{n}"] = d.corpus[n - 1] * scale
        sc[f"distinct-{n}-per-reply"] = d.per_response[n - 1] * scale
        sig[f"distinct-{n}"] = f"distinct|n:{n}|corpus:unique/total|tok:{tok_label(dtok)}|warmline:{__version__}"
        sig[f"distinct-{n}-per-reply"] = f"distinct|n:{n}|mean-per-reply|tok:{tok_label(dtok)}|warmline:{__version__}"
    run.out.counts["distinct"] = {"unique": d.unique, "total": d.total}


def _model_based(run: _Run, bertscore: str | None, embedding: bool) -> None:
    item, sig = run.out.per_item, run.out.signatures
    if bertscore:
        from .semantic import bertscore as bs

        p, r, f, bsig = bs(run.hyps, run.refs, None if bertscore == "default" else bertscore)
        for name, vals in (("bertscore-p", p), ("bertscore-r", r), ("bertscore-f", f)):
            item[name] = [v * run.spec.scale for v in vals]
            sig[name] = bsig
    if embedding:
        from .semantic import embedding_cosine

        vals, esig = embedding_cosine(run.hyps, run.refs)
        item["embedding-cosine"] = vals
        sig["embedding-cosine"] = esig


def bootstrap_ci(items: dict, stats: M.Stats, scale: float, n: int = 1000, seed: int = 0, alpha: float = 0.05) -> dict:
    """Percentile intervals: per-item metrics by resampling items; corpus BLEU by resampling the
    per-pair statistics (never the scores)."""
    rng = np.random.default_rng(seed)
    size = len(next(iter(items.values())))
    idx = rng.integers(0, size, size=(n, size))
    ci = {}
    for name, vals in items.items():
        means = np.asarray(vals)[idx].mean(axis=1)
        ci[name] = [float(np.quantile(means, alpha / 2)), float(np.quantile(means, 1 - alpha / 2))]
    match = stats.match[idx].sum(axis=1)
    total = stats.hyp_total[idx].sum(axis=1)
    hyp = stats.hyp_len[idx].sum(axis=1)
    ref = stats.ref_len[idx].sum(axis=1)
    for k in (1, 2, 3, 4):
        vals = [
            M._sacre(list(m[:k]), list(t[:k]), int(h), int(r)) * scale for m, t, h, r in zip(match, total, hyp, ref)
        ]
        ci[f"corpus-bleu-{k}"] = [float(np.quantile(vals, alpha / 2)), float(np.quantile(vals, 1 - alpha / 2))]
    return ci


def paired_bootstrap(a: list[float], b: list[float], n: int = 1000, seed: int = 0) -> dict:
    """Is system A better than B on this metric? Koehn's paired bootstrap over items: the p-value is the
    share of resamples in which the difference does not keep its sign."""
    a_, b_ = np.asarray(a), np.asarray(b)
    if a_.shape != b_.shape:
        raise ValueError("paired bootstrap needs scores of both systems on the same items")
    delta = float(a_.mean() - b_.mean())
    idx = np.random.default_rng(seed).integers(0, len(a_), size=(n, len(a_)))
    diffs = (a_[idx] - b_[idx]).mean(axis=1)
    worse = (diffs <= 0).mean() if delta > 0 else (diffs >= 0).mean()
    return {
        "delta": delta,
        "p_value": float(worse),
        "ci": [float(np.quantile(diffs, 0.025)), float(np.quantile(diffs, 0.975))],
    }
