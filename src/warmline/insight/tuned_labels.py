"""Turn labels (strategy, emotion) from a LoRA-tuned sentence encoder (`warmline.tuned`) instead of the light
classifier's n-grams and frozen embeddings: what the input of one turn is (the labelled turn, then the turn
before it as context, in one text), and a labeller with the light classifier's `predict`, saved in the
directory `label classify-train` writes. Needs torch and the `local` extra (peft); the light classifier does not."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

FILE = "tuned.safetensors"
# the turn before is cut to its last characters: what a turn answers is mostly at the end of the one before,
# and the labelled turn comes first so that truncation to the encoder's max_len takes context, not the turn
CONTEXT_CHARS = 300
ROLES = {"strategy": ("counselor", "client"), "emotion": ("client", "counselor")}


def as_input(text: str, context: str = "", with_context: bool = True, task: str = "strategy") -> str:
    """The encoder's input for a turn `text` (a counselor turn for strategy) answering `context`."""
    own, other = ROLES.get(task, ("text", "before"))
    text = " ".join(text.split())
    context = " ".join(context.split())[-CONTEXT_CHARS:]
    if not with_context or not context:
        return f"{own}: {text}"
    return f"{own}: {text}\n{other} before: {context}"


class TunedLabeller:
    """A tuned classifier of one label task, read like `classify.LabelClassifier` (`scores`, `predict`)."""

    def __init__(self, task: str, model, with_context: bool = True):
        self.task, self.model, self.with_context = task, model, with_context

    @property
    def classes(self) -> list[str]:
        return self.model.classes

    def describe(self) -> str:
        s = self.model.settings
        return (
            f"LoRA-tuned {s.base} encoder (r {s.r}, {s.epochs} epochs, lr {s.lr:g}, max_len {s.max_len}), mean-pooled "
            f"linear head, classes weighted alike; input: the turn"
            + (" and the turn before" if self.with_context else "")
        )

    def _inputs(self, texts, contexts):
        contexts = contexts or [""] * len(texts)
        return [as_input(t, c, self.with_context, self.task) for t, c in zip(texts, contexts)]

    def scores(self, texts: list[str], langs=None, contexts: list[str] | None = None, embed=None) -> np.ndarray:
        """(len(texts), K) log-probabilities (`langs` and `embed` are the light classifier's; unused here)."""
        return np.log(np.maximum(self.model.probabilities(self._inputs(texts, contexts)), 1e-12))

    def predict(self, texts: list[str], langs=None, contexts: list[str] | None = None, embed=None) -> list[str]:
        return [self.classes[i] for i in self.scores(texts, langs, contexts).argmax(axis=1)]

    def save(self, out: Path, meta: dict | None = None) -> None:
        out = Path(out)
        meta = {"task": self.task, "with_context": self.with_context, **(meta or {})}
        self.model.save(out / FILE, meta)
        info = {"model": "tuned", "task": self.task, "classes": self.classes, "file": FILE, "features": self.describe()}
        (out / "model.json").write_text(json.dumps(info, ensure_ascii=False, indent=2), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> TunedLabeller:
        from ..tuned import TunedClassifier

        model = TunedClassifier.load(Path(path) / FILE)
        return cls(model.meta["task"], model, bool(model.meta.get("with_context", True)))


def train(
    task: str,
    texts: list[str],
    labels: list[str],
    contexts: list[str] | None = None,
    weights: list[float] | None = None,
    base: str = "minilm",
    with_context: bool = True,
    settings=None,
    progress: bool = True,
) -> TunedLabeller:
    """Tune `base` on the turns (`weights` per turn, e.g. written examples beside real ones)."""
    from .. import tuned

    settings = settings or tuned.Settings(base=base, max_len=160 if with_context else 128)
    contexts = contexts or [""] * len(texts)
    inputs = [as_input(t, c, with_context, task) for t, c in zip(texts, contexts)]
    return TunedLabeller(
        task, tuned.fit(inputs, labels, settings, sample_weight=weights, progress=progress), with_context
    )


def trainer(base: str = "minilm", with_context: bool = True, task: str = "strategy"):
    """`classify.train_and_score`'s trainer for a tuned `base`, after checking that it can run here (torch, peft,
    a known encoder, a turn task): a missing piece is said before any data is read."""
    from .. import tuned
    from ..extras import need

    if base not in tuned.BASES:
        raise ValueError(f"unknown base {base!r}: use one of {', '.join(tuned.BASES)}")
    if task not in ROLES:
        raise ValueError(f"the tuned model labels turns ({', '.join(ROLES)}), not {task}")
    need("torch")
    need("peft")

    def fit(task, texts, langs, labels, contexts, weights):
        return train(task, texts, labels, contexts, weights, base, with_context)

    return fit


def load_labeller(path: Path):
    """The label classifier `classify-train` saved in `path`: the tuned one where it wrote one, else the light one."""
    from .classify import LabelClassifier

    path = Path(path)
    if not (path / "model.json").exists():
        raise ValueError(f"{path} holds no label classifier (no model.json): train one with `label classify-train`")
    kind = json.loads((path / "model.json").read_text(encoding="utf-8")).get("model", "light")
    return TunedLabeller.load(path) if kind == "tuned" else LabelClassifier.load(path)
