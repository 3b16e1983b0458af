"""The reply screen's fine-tuned second stage: a LoRA-tuned sentence encoder (`warmline.tuned`) reads each sentence of
a reply, where today's model (`reply_model`) reads a frozen embedding with logistic regression. It answers as
`ReplyModel` does (`scores`, `remembered`, `threshold`), so the screen and a stream's reader (`StreamReader`) take
either. It needs torch and peft (the `local` extra); the core install has neither, and then asking for it fails with
the instruction to install them.

Its weights (`data/safety/reply_tuned.safetensors`, the LoRA matrices and the head; the encoder comes from the
package that carries it) do not ship: the English MiniLM, left out of both writers' sets, caught no more than the
linear model at the same false alarms (docs/safety-replies.md). `scripts/tune_reply_model.py --out` builds them
(`reply_tuning`) for whoever wants to try them or a better base."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources as ir

import numpy as np

from .reply_model import SentenceMemo, SentenceScorer

WEIGHTS = "data/safety/reply_tuned.safetensors"


class TunedReplyModel(SentenceScorer):
    """p(unsafe | sentence) from a `tuned.TunedClassifier`; a reply is flagged when any sentence reaches `threshold`.
    `langs`: the languages it was trained on; it scores whatever it is given, so `reply.second_stage` hands replies in
    other languages to the linear model instead (its encoder may not read them)."""

    def __init__(self, classifier, threshold: float, langs=("en", "zh"), meta: dict | None = None):
        self.classifier = classifier
        self.threshold = float(threshold)
        self.langs = tuple(langs)
        self.meta = meta or {}
        column = classifier.classes.index("unsafe")
        self._memo = SentenceMemo(lambda new: self.classifier.probabilities(new)[:, column], np.zeros(0))

    def save(self, path, meta: dict | None = None) -> None:
        info = {**self.meta, **(meta or {}), "threshold": self.threshold, "langs": list(self.langs)}
        self.classifier.save(path, info)

    @classmethod
    def load(cls, path) -> TunedReplyModel:
        from ..tuned import TunedClassifier

        clf = TunedClassifier.load(path)
        meta = dict(getattr(clf, "meta", {}))
        if "unsafe" not in clf.classes or "threshold" not in meta:
            raise ValueError(
                f"{path}: not a tuned reply model (classes {clf.classes}, no threshold saved): build one with "
                "scripts/tune_reply_model.py --out"
            )
        return cls(clf, meta["threshold"], meta.get("langs", ("en", "zh")), meta)


@lru_cache(maxsize=1)
def shipped() -> TunedReplyModel:
    """The tuned model whose weights ship in the package (never retrained at use)."""
    with ir.as_file(ir.files("warmline").joinpath(WEIGHTS)) as path:
        if not path.exists():
            raise FileNotFoundError(
                f"{WEIGHTS} is not in this install: rebuild it with scripts/tune_reply_model.py --out, or use the "
                "linear reply model"
            )
        return TunedReplyModel.load(path)
