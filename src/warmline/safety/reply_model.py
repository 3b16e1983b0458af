"""The reply screen's second stage: logistic regression on the multilingual sentence embedding (USE v3) of each
sentence of a reply, catching unsafe advice the rules' phrases miss ("the tracks past the allotments aren't fenced
off"). It only adds catches to the rules (`reply.screen_reply`).

Each sentence is read on its own (a sentence and its neighbour read together caught no more on the development
sets, and every extra reading is one more chance of a false alarm on a long counselor reply), embedded once and
remembered: a stream reads each finished sentence once (`StreamReader`). The weights ship in the package
(`data/safety/reply_model.npz`); `scripts/train_reply_model.py` rebuilds them from data in the repository and
chooses the threshold by cross-validation grouped by dialogue (`reply_training`; docs/safety-replies.md)."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from functools import lru_cache
from importlib import resources as ir

import numpy as np

FEATURES = "use-multilingual-v3/sentence"
WEIGHTS = "data/safety/reply_model.npz"
# a sentence ends at . ! ? ; or a line break (also "word.Word", as Counsel-Chat answers run sentences together),
# and at 。！？； (closing quotes and brackets stay with their sentence)
_END = re.compile(r"(?:[.!?;]+(?=[\s\"')\]”’]|[A-Z]|$)|[。！？；]+|\n+)[\"')\]”’」』]*")
MIN_CHARS = 4  # shorter pieces ("OK.", "1.") carry no advice; reading them would only add chances of a false alarm
LONGEST = 200  # characters a stream holds back waiting for a sentence's end (a long sentence is about 150)
CACHE = 4096  # sentences remembered per model: a few hundred streams' worth


def sentence_spans(text: str, start: int = 0) -> list[tuple[int, int, bool]]:
    """(start, end, finished) of each sentence of text[start:]; only the last can be unfinished (no end mark yet)."""
    out = []
    for m in _END.finditer(text, start):
        out.append((start, m.end(), True))
        start = m.end()
    if start < len(text):
        out.append((start, len(text), False))
    return out


def sentences(text: str) -> list[str]:
    """The text's sentences, stripped, in order; pieces shorter than MIN_CHARS left out."""
    return [s for a, b, _ in sentence_spans(text) if len(s := text[a:b].strip()) >= MIN_CHARS]


class SentenceMemo:
    """Each sentence's row of `compute(sentences)` (an embedding, a probability), computed once across calls, the
    CACHE most recent kept. Streams read from worker threads (`turn`): one `compute` call at a time, for every sentence
    waiting then (the streams' sentences in one batch cost far less than one call each), and the remembered rows stay
    whole. `empty` is what no sentence gives."""

    def __init__(self, compute, empty: np.ndarray):
        self.compute, self.empty = compute, empty
        self._seen: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self._waiting: list[str] = []
        self._queue = threading.Lock()

    def get(self, sents: list[str]) -> np.ndarray:
        if not sents:
            return self.empty
        with self._queue:
            self._waiting += [s for s in sents if s not in self._seen]
        with self._lock:
            with self._queue:
                waiting, self._waiting = self._waiting, []
            new = [s for s in dict.fromkeys(waiting + sents) if s not in self._seen]
            if new:
                for s, v in zip(new, np.asarray(self.compute(new), np.float64)):
                    self._seen[s] = v
            out = np.stack([self._seen[s] for s in sents])
            for s in sents:
                self._seen.move_to_end(s)
            while len(self._seen) > CACHE:
                self._seen.popitem(last=False)
        return out

    def peek(self, sents: list[str]) -> np.ndarray | None:
        """The rows of `sents` if every one is remembered, else None; never waits for the lock (the server reads a
        stream on its event loop when no sentence needs computing). One lookup at a time is atomic; a sentence
        forgotten meanwhile by another thread only gives None."""
        try:
            return np.stack([self._seen[s] for s in sents]) if sents else self.empty
        except KeyError:
            return None

    def forget(self) -> None:
        with self._lock:
            self._seen.clear()


class SentenceScorer:
    """What the reply screen and a stream's reader ask of a second stage: `scores(sentences)`, `remembered`,
    `probability(text)`, `threshold`, `forget`; a subclass says how a sentence's probability comes out of its
    remembered row (`_score`)."""

    threshold: float
    _memo: SentenceMemo

    def _score(self, rows: np.ndarray) -> np.ndarray:
        return rows

    def forget(self) -> None:
        """Drop the remembered sentences (a benchmark measuring the cost of first readings)."""
        self._memo.forget()

    def remembered(self, sents: list[str]) -> np.ndarray | None:
        """The probability of each of `sents` if every one is remembered, else None; never waits for the lock."""
        rows = self._memo.peek(sents)
        return None if rows is None else self._score(rows)

    def scores(self, sents: list[str]) -> np.ndarray:
        """The probability of each of `sents`."""
        p = self.remembered(sents)
        if p is not None:
            return p
        return self._score(self._memo.get(sents))

    def probability(self, text: str) -> float:
        """The highest probability over the text's sentences (0 for a text with no sentence)."""
        p = self.scores(sentences(text))
        return float(p.max()) if len(p) else 0.0


class ReplyModel(SentenceScorer):
    """p(unsafe | sentence) = sigmoid(w . x + b); a reply is flagged when any of its sentences reaches
    `threshold`. `encoder`: texts -> unit embeddings (default: the offline USE encoder, one thread)."""

    def __init__(self, weights, bias: float, threshold: float, encoder=None, meta: dict | None = None):
        self.weights = np.asarray(weights, np.float64)
        self.bias, self.threshold = float(bias), float(threshold)
        self.meta = meta or {}
        if encoder is None:
            from .classifier import default_encoder

            encoder = default_encoder()
        self.encoder = encoder
        self._memo = SentenceMemo(lambda new: self.encoder(new), np.zeros((0, len(self.weights))))

    def embed(self, sents: list[str]) -> np.ndarray:
        """Unit embeddings of `sents`, each sentence embedded once across calls (the CACHE most recent kept)."""
        return self._memo.get(sents)

    def _score(self, x: np.ndarray) -> np.ndarray:
        return 1 / (1 + np.exp(-(x @ self.weights + self.bias)))

    def save(self, path, meta: dict | None = None) -> None:
        from .classifier import save_model

        save_model(
            path,
            FEATURES,
            {**self.meta, **(meta or {})},
            weights=self.weights,
            bias=self.bias,
            threshold=self.threshold,
        )

    @classmethod
    def load(cls, path, encoder=None) -> ReplyModel:
        from .classifier import load_npz

        z, meta = load_npz(
            path, ("weights", "bias", "threshold"), FEATURES, "reply model", "scripts/train_reply_model.py"
        )
        return cls(z["weights"], float(z["bias"]), float(z["threshold"]), encoder, meta)


@lru_cache(maxsize=1)
def shipped() -> ReplyModel:
    """The model whose weights ship in the package (never retrained at use)."""
    with ir.as_file(ir.files("warmline").joinpath(WEIGHTS)) as path:
        return ReplyModel.load(path)


class StreamReader:
    """Reads the finished sentences of a growing reply, each once. `done`: where the text read so far ends; a
    stream must not show text past it, since the sentence there has not been read yet."""

    def __init__(self, model: ReplyModel):
        self.model = model
        self.done = 0

    def _next(self, text: str, final: bool) -> tuple[int, list[str]]:
        """(where the text read ends after reading `text` now, the sentences that reading reads)."""
        # a sentence that ends where the text so far ends may go on ("leave the 2." + "5 mg ..."): read it once more
        # text has come, or at the end
        spans = [(a, b) for a, b, ended in sentence_spans(text, self.done) if final or (ended and b < len(text))]
        end = spans[-1][1] if spans else self.done
        if len(text) - end > LONGEST:
            cut = max(text.rfind(c, end, len(text)) for c in " ,，、")
            spans.append((end, cut + 1 if cut > end else len(text)))
        if not spans:
            return self.done, []
        return spans[-1][1], [s for a, b in spans if len(s := text[a:b].strip()) >= MIN_CHARS]

    def read(self, text: str, final: bool = False) -> bool:
        """Whether a sentence finished since the last reading (any left, when `final`) is unsafe. A sentence that
        has run past LONGEST characters without ending is read up to its last space or comma, so that a stream
        with no sentence end still flows."""
        self.done, sents = self._next(text, final)
        return bool(len(sents)) and bool(self.model.scores(sents).max() >= self.model.threshold)

    def embeds(self, text: str, final: bool = False) -> bool:
        """Whether reading `text` now would embed a sentence not yet remembered (milliseconds of CPU, to be spent
        off the event loop); reads nothing."""
        sents = self._next(text, final)[1]
        return bool(sents) and self.model.remembered(sents) is None
