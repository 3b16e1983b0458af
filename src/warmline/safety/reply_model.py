"""The reply screen's second stage: logistic regression on the multilingual sentence embedding (USE v3) of each
sentence of a reply, and of each pair of neighbouring sentences, catching unsafe advice the rules' phrases miss
("the railway line behind your estate would be quick"). It only adds catches to the rules (`reply.screen_reply`).

Each sentence is embedded once and remembered (a stream reads the same sentences again and again); a pair of
sentences is read as the normalised sum of its two embeddings, so it costs no embedding of its own. The weights
ship in the package (`data/safety/reply_model.npz`); `scripts/train_reply_model.py` rebuilds them from data in the
repository and chooses the threshold by cross-validation grouped by dialogue (docs/safety-replies.md)."""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from functools import lru_cache
from importlib import resources as ir

import numpy as np

FEATURES = "use-multilingual-v3/sentence+pair-sum"
WEIGHTS = "data/safety/reply_model.npz"
# a sentence ends at . ! ? ; or a line break (also "word.Word", as Counsel-Chat answers run sentences together),
# and at 。！？； (closing quotes and brackets stay with their sentence)
_END = re.compile(r"(?:[.!?;]+(?=[\s\"')\]”’]|[A-Z]|$)|[。！？；]+|\n+)[\"')\]”’」』]*")
MIN_CHARS = 4  # shorter pieces ("OK.", "1.") carry no advice; reading them would only add chances of a false alarm
CACHE = 4096  # sentences remembered per model: a few hundred streams' worth


def sentences(text: str) -> list[str]:
    """The text's sentences, stripped, in order; pieces shorter than MIN_CHARS left out."""
    out, start = [], 0
    for m in _END.finditer(text):
        out.append(text[start : m.end()].strip())
        start = m.end()
    out.append(text[start:].strip())
    return [s for s in out if len(s) >= MIN_CHARS]


def windows(emb: np.ndarray) -> np.ndarray:
    """Each sentence's unit embedding, then each neighbouring pair's (the normalised sum): (2n-1, d)."""
    if len(emb) < 2:
        return emb
    pair = emb[:-1] + emb[1:]
    pair = pair / np.maximum(np.linalg.norm(pair, axis=1, keepdims=True), 1e-12)
    return np.vstack([emb, pair])


class ReplyModel:
    """p(unsafe | sentence or pair) = sigmoid(w . x + b); a reply is flagged when any of its windows reaches
    `threshold`. `encoder`: texts -> unit embeddings (default: the offline USE encoder, one thread)."""

    def __init__(self, weights, bias: float, threshold: float, encoder=None, meta: dict | None = None):
        self.weights = np.asarray(weights, np.float64)
        self.bias, self.threshold = float(bias), float(threshold)
        self.meta = meta or {}
        if encoder is None:
            from .classifier import default_encoder

            encoder = default_encoder()
        self.encoder = encoder
        self._seen: OrderedDict[str, np.ndarray] = OrderedDict()

    def embed(self, sents: list[str]) -> np.ndarray:
        """Unit embeddings of `sents`, each sentence embedded once across calls (the CACHE most recent kept)."""
        new = [s for s in dict.fromkeys(sents) if s not in self._seen]
        if new:
            for s, v in zip(new, np.asarray(self.encoder(new), np.float64)):
                self._seen[s] = v
        for s in sents:
            self._seen.move_to_end(s)
        while len(self._seen) > CACHE:
            self._seen.popitem(last=False)
        return np.stack([self._seen[s] for s in sents]) if sents else np.zeros((0, len(self.weights)))

    def scores(self, sents: list[str]) -> np.ndarray:
        """The probability of each window of `sents` (sentences first, then neighbouring pairs)."""
        if not sents:
            return np.zeros(0)
        z = windows(self.embed(sents)) @ self.weights + self.bias
        return 1 / (1 + np.exp(-z))

    def probability(self, text: str) -> float:
        """The highest probability over the text's windows (0 for a text with no sentence)."""
        p = self.scores(sentences(text))
        return float(p.max()) if len(p) else 0.0

    def flags(self, text: str) -> bool:
        return self.probability(text) >= self.threshold

    def save(self, path, meta: dict | None = None) -> None:
        from .classifier import save_npz

        save_npz(
            path,
            weights=self.weights,
            bias=self.bias,
            threshold=self.threshold,
            meta=json.dumps({"features": FEATURES, **self.meta, **(meta or {})}, ensure_ascii=False),
        )

    @classmethod
    def load(cls, path, encoder=None) -> ReplyModel:
        try:
            with np.load(path, allow_pickle=False) as z:
                meta = json.loads(str(z["meta"]))
                model = cls(z["weights"], float(z["bias"]), float(z["threshold"]), encoder, meta)
        except (OSError, KeyError, ValueError, json.JSONDecodeError) as e:
            raise ValueError(f"{path}: not a reply model ({e}); rebuild it with scripts/train_reply_model.py") from None
        if meta.get("features") != FEATURES:
            raise ValueError(
                f"{path}: trained on {meta.get('features')!r} features, this warmline reads {FEATURES!r}; "
                "rebuild it with scripts/train_reply_model.py"
            )
        return model


@lru_cache(maxsize=1)
def shipped() -> ReplyModel:
    """The model whose weights ship in the package (never retrained at use)."""
    with ir.as_file(ir.files("warmline").joinpath(WEIGHTS)) as path:
        return ReplyModel.load(path)
