"""The screen's second stage as a LoRA-tuned encoder (`warmline.tuned`): p(at risk | the whole message), with the
threshold and `sure` chosen by grouped cross-validation saved beside the weights. It needs torch and peft (the
`tuned` extra); without them `load` says how to install them, and the linear stage stays the default."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources as ir
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
        texts = read(list(texts), self.model.tokenizer, self.model.settings.max_len, self.reading)
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


WEIGHTS = "data/safety/tuned_classifier.safetensors"
STAGES = ("linear", "tuned")


@lru_cache(maxsize=1)
def shipped() -> TunedRiskClassifier:
    """The tuned stage whose weights ship in the package (`scripts/train_tuned_screen.py` rebuilds them); ValueError
    saying what to do when they or torch and peft are missing."""
    with ir.as_file(ir.files("warmline").joinpath(WEIGHTS)) as path:
        if not Path(path).exists():
            raise ValueError(
                f"this package has no tuned screen ({WEIGHTS}): rebuild it with scripts/train_tuned_screen.py"
            )
        return TunedRiskClassifier.load(path)


def stage(name: str):
    """The screen's second stage by name, for `Screener(classifier=...)`: "linear" (True: the shipped linear
    stage) or "tuned" (`shipped`)."""
    if name not in STAGES:
        raise ValueError(f"the screen's second stage must be one of {', '.join(STAGES)}, not {name!r}")
    return True if name == "linear" else shipped()
