"""A second stage for the screen as a LoRA-tuned encoder (`warmline.tuned`): p(at risk | the whole message), with the
threshold and `sure` chosen by grouped cross-validation saved beside the weights; `Screener(classifier=
TunedRiskClassifier.load(path))` uses one. None ships: on the real messages' grouped folds it did not beat the
shipped linear stage (docs/safety-rounds.md, "A fine-tuned second stage"). It needs torch and peft; without them
`load` says so."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .tuned_cv import read

RISK = "risk"


class TunedRiskClassifier:
    """What `Screener` asks of a second stage: `probabilities(texts)`, `threshold`, `sure`; it reads the whole
    message once (`sentences = False`), as `reading` says when it is longer than the encoder's budget."""

    sentences = False

    def __init__(self, model, threshold: float, sure: float, reading: str = "head"):
        self.model, self.threshold, self.sure, self.reading = model, float(threshold), float(sure), reading
        self.meta = getattr(model, "meta", {})

    def probabilities(self, texts: list[str]) -> np.ndarray:
        texts = read(list(texts), self.model.tokenizer, self.model.settings.max_len, self.reading, self.model.prefix)
        return self.model.probabilities(texts)[:, self.model.classes.index(RISK)].astype(np.float64)

    def probability(self, text: str) -> float:
        return float(self.probabilities([text])[0])

    def __call__(self, text: str) -> bool:
        return self.probability(text) >= self.threshold

    def save(self, path, meta: dict | None = None) -> None:
        self.model.save(
            path, {**self.meta, **(meta or {}), "threshold": self.threshold, "sure": self.sure, "reading": self.reading}
        )

    @classmethod
    def load(cls, path) -> TunedRiskClassifier:
        """ValueError naming the file when it is not a tuned risk classifier, or what to install when torch or
        peft is missing."""
        from .. import tuned

        try:
            model = tuned.TunedClassifier.load(Path(path))
        except ImportError as e:
            raise ValueError(f"the tuned screen needs torch and peft: {e}") from None
        meta = model.meta
        if RISK not in model.classes or "threshold" not in meta:
            raise ValueError(f"{path}: not a tuned risk classifier (classes {model.classes}, no threshold saved)")
        return cls(model, meta["threshold"], meta.get("sure", 1.0), meta.get("reading", "head"))
