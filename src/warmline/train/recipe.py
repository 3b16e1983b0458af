"""The SFT recipe, top to bottom: load the model (LoRA, QLoRA or full), tokenize with counselor-only
labels, train with accelerate (warmup then decay, accumulation, checkpointing, bf16/fp16 on GPU and
fp32 on CPU), checkpoint and resume, then save the adapter (optionally merged) with a record of data,
recipe and versions, a loss curve and tokens per second.

One machine: `warmline train ...`. Several GPUs: `accelerate launch --config_file
configs/accelerate/zero2.yaml -m warmline.cli.main train ...` (DeepSpeed ZeRO-2 or -3)."""

from __future__ import annotations

import hashlib
import json
import math
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .config import TrainConfig
from .data import collate, encode, load_messages


@dataclass
class RunResult:
    output: str
    steps: int
    losses: list[float] = field(default_factory=list)
    tokens_per_second: float = 0.0
    trained_tokens: int = 0
    train_seconds: float = 0.0
    label_tokens: int = 0
    examples: int = 0
    skipped_examples: int = 0
    resumed_from: int = 0
    adapter_dir: str | None = None
    merged_dir: str | None = None


def _versions() -> dict:
    import accelerate
    import peft
    import torch
    import transformers

    from .. import __version__

    return {
        "warmline": __version__,
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "peft": peft.__version__,
        "accelerate": accelerate.__version__,
    }


def _sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def load_model(cfg: TrainConfig, log: Callable[[str], None]):
    """(model, tokenizer, model id) ready for training."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from ..backends.embedded import EMBEDDED, resolve, unmark_quantized

    path, local = resolve(cfg.model, log)
    cuda = torch.cuda.is_available()
    if cfg.precision == "auto":
        dtype = (
            torch.bfloat16 if cuda and torch.cuda.is_bf16_supported() else (torch.float16 if cuda else torch.float32)
        )
    else:
        dtype = {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}[cfg.precision]
    tok = AutoTokenizer.from_pretrained(path, local_files_only=local)
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    kwargs: dict = {"dtype": torch.float32 if dtype == torch.float16 else dtype, "local_files_only": local}
    if cfg.method == "qlora":
        try:
            import bitsandbytes  # noqa: F401
        except ImportError:
            raise ValueError(
                "QLoRA needs bitsandbytes and a CUDA GPU: pip install bitsandbytes, or use --method lora"
            ) from None
        if not cuda:
            raise ValueError("QLoRA needs a CUDA GPU; on CPU use --method lora")
        from transformers import BitsAndBytesConfig

        kwargs["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_compute_dtype=dtype, bnb_4bit_use_double_quant=True
        )
    model = AutoModelForCausalLM.from_pretrained(path, **kwargs)
    if cfg.method != "qlora":
        unmark_quantized(model)
    model.config.use_cache = False
    if cfg.method in ("lora", "qlora"):
        from peft import LoraConfig, get_peft_model, prepare_model_for_kbit_training

        if cfg.method == "qlora":
            model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=cfg.grad_checkpointing)
        lora = LoraConfig(
            r=cfg.lora_r,
            lora_alpha=cfg.lora_alpha,
            lora_dropout=cfg.lora_dropout,
            target_modules=cfg.target_modules,
            task_type="CAUSAL_LM",
        )
        model = get_peft_model(model, lora)
    if cfg.grad_checkpointing:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        if cfg.method != "full":
            model.enable_input_require_grads()
    return model, tok, (EMBEDDED if cfg.model in (None, "", "embedded", "default") else cfg.model)


def _checkpoints(out: Path) -> list[Path]:
    root = out / "checkpoints"
    if not root.is_dir():
        return []
    return sorted(
        (p for p in root.iterdir() if p.name.startswith("step-") and (p / "warmline_step.json").exists()),
        key=lambda p: int(p.name[5:]),
    )


def train(cfg: TrainConfig, log: Callable[[str], None] = print, progress: bool = True) -> RunResult:
    """Set up, resume if a checkpoint exists, run the steps, save: each piece is one function below."""
    out = _prepare_output(cfg)
    acc, mixed = _accelerator(cfg)
    model, tok, model_id = load_model(cfg, log)
    examples, skipped = _examples(cfg, tok)
    loader, total = _loader(cfg, examples, tok)
    params = [p for p in model.parameters() if p.requires_grad]
    opt, sched = _optimizer(cfg, params, total)
    model, opt, loader, sched = acc.prepare(model, opt, loader, sched)
    run = _Run(cfg, acc, model, opt, sched, loader, params, out, total)
    _resume(run, log)
    resumed_from = run.step
    tokens, t_train = _loop(run, progress)
    result = RunResult(
        output=str(out),
        steps=run.step,
        losses=run.losses,
        tokens_per_second=tokens / t_train if t_train else 0.0,
        trained_tokens=tokens,
        train_seconds=round(t_train, 2),
        label_tokens=sum(sum(1 for x in e["labels"] if x != -100) for e in examples),
        examples=len(examples),
        skipped_examples=skipped,
        resumed_from=resumed_from,
    )
    _save(run, tok, model_id, result, mixed)
    return result


@dataclass
class _Run:
    """What the loop, the checkpoints and the final save share."""

    cfg: TrainConfig
    acc: object
    model: object
    opt: object
    sched: object
    loader: object
    params: list
    out: Path
    total: int
    step: int = 0
    losses: list[float] = field(default_factory=list)


def _prepare_output(cfg: TrainConfig) -> Path:
    if not cfg.data or not cfg.output:
        raise ValueError("training needs --data and --output")
    if not Path(cfg.data).is_file():
        raise ValueError(f"--data {cfg.data} does not exist")
    out = Path(cfg.output)
    out.mkdir(parents=True, exist_ok=True)
    return out


def _accelerator(cfg: TrainConfig):
    """(Accelerator, mixed precision): bf16 or fp16 on a GPU unless fp32 is asked for; fp32 on CPU."""
    import torch
    from accelerate import Accelerator
    from accelerate.utils import set_seed

    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    set_seed(cfg.seed)
    cuda = torch.cuda.is_available()
    mixed = (
        "no"
        if not cuda or cfg.precision in ("fp32",)
        else ("bf16" if cfg.precision in ("auto", "bf16") and torch.cuda.is_bf16_supported() else "fp16")
    )
    return Accelerator(gradient_accumulation_steps=cfg.grad_accum, mixed_precision=mixed, cpu=not cuda), mixed


def _examples(cfg: TrainConfig, tok) -> tuple[list[dict], int]:
    """Tokenized examples with counselor-only labels, and how many had no target left to learn from."""
    examples, skipped = [], 0
    for msgs in load_messages(cfg.data, cfg.system_prompt):
        enc = encode(msgs, tok, cfg.max_length, cfg.loss_on)
        if enc is None:
            skipped += 1
        else:
            examples.append(enc)
    if not examples:
        raise ValueError(f"{cfg.data}: no example has a counselor reply to learn from")
    return examples, skipped


def _loader(cfg: TrainConfig, examples: list[dict], tok):
    """A seeded, shuffled loader and the number of optimizer steps the run takes."""
    import torch
    from torch.utils.data import DataLoader

    g = torch.Generator().manual_seed(cfg.seed)
    loader = DataLoader(
        examples,
        batch_size=cfg.batch_size,
        shuffle=True,
        generator=g,
        collate_fn=lambda b: collate(b, tok.pad_token_id),
    )
    steps_per_epoch = max(1, math.ceil(len(loader) / cfg.grad_accum))
    return loader, cfg.max_steps or max(1, math.ceil(cfg.epochs * steps_per_epoch))


def _optimizer(cfg: TrainConfig, params: list, total: int):
    import torch
    from transformers import get_scheduler

    opt = torch.optim.AdamW(params, lr=cfg.learning_rate, weight_decay=cfg.weight_decay)
    return opt, get_scheduler(cfg.lr_scheduler, opt, num_warmup_steps=cfg.warmup_steps, num_training_steps=total)


def _resume(run: _Run, log: Callable[[str], None]) -> None:
    ckpts = _checkpoints(run.out)
    if ckpts:
        run.acc.load_state(str(ckpts[-1]))
        info = json.loads((ckpts[-1] / "warmline_step.json").read_text())
        run.step, run.losses = info["step"], info["losses"]
        log(f"resuming from {ckpts[-1].name}")


def _loop(run: _Run, progress: bool) -> tuple[int, float]:
    """Optimizer steps until the total, with a progress bar and checkpoints; (tokens seen, seconds)."""
    import time

    from tqdm import tqdm

    cfg, acc, model = run.cfg, run.acc, run.model
    bar = tqdm(total=run.total, initial=run.step, desc="train", unit=" step", disable=not progress)
    model.train()
    tokens, t_train = 0, 0.0
    t_loop = time.perf_counter()
    skip = (run.step * cfg.grad_accum) % len(run.loader)  # micro-batches of the current epoch already done
    while run.step < run.total:
        epoch_loader = acc.skip_first_batches(run.loader, skip) if skip else run.loader
        skip = 0
        running, micro = 0.0, 0
        for batch in epoch_loader:
            with acc.accumulate(model):
                loss = model(**batch).loss
                acc.backward(loss)
                if acc.sync_gradients and cfg.max_grad_norm:
                    acc.clip_grad_norm_(run.params, cfg.max_grad_norm)
                run.opt.step()
                run.sched.step()
                run.opt.zero_grad()
            tokens += int(batch["attention_mask"].sum())
            t_train = time.perf_counter() - t_loop  # wall time of the loop so far, data loading included
            running += float(loss.detach())
            micro += 1
            if not acc.sync_gradients:
                continue
            run.step += 1
            run.losses.append(running / micro)
            running, micro = 0.0, 0
            bar.update(1)
            bar.set_postfix(
                loss=f"{run.losses[-1]:.4f}",
                lr=f"{run.sched.get_last_lr()[0]:.2e}",
                tok_s=f"{tokens / max(t_train, 1e-9):.0f}",
            )
            if cfg.save_every and run.step % cfg.save_every == 0 and run.step < run.total:
                _save_checkpoint(acc, run.out, run.step, run.losses, cfg.keep_checkpoints)
            if run.step >= run.total:
                break
    bar.close()
    return tokens, t_train


def _save(run: _Run, tok, model_id: str, result: RunResult, mixed: str) -> None:
    """The adapter (or model), optionally merged, with a record, the loss as CSV and a plot; checkpoints go."""
    cfg, acc, out, losses = run.cfg, run.acc, run.out, run.losses
    acc.wait_for_everyone()
    if not acc.is_main_process:
        return
    unwrapped = acc.unwrap_model(run.model)
    target = out / ("adapter" if cfg.method != "full" else "model")
    unwrapped.save_pretrained(target)
    tok.save_pretrained(target)
    if cfg.method == "lora" and cfg.merge:
        merged = unwrapped.merge_and_unload()
        merged.save_pretrained(out / "merged")
        tok.save_pretrained(out / "merged")
        result.merged_dir = str(out / "merged")
    result.adapter_dir = str(target)
    record = {
        "config": cfg.model_dump(),
        "base_model": model_id,
        "data": {
            "path": str(cfg.data),
            "sha256": _sha256(cfg.data),
            "examples": result.examples,
            "skipped_without_target": result.skipped_examples,
        },
        "steps": run.step,
        "resumed_from": result.resumed_from,
        "final_loss": losses[-1] if losses else None,
        "tokens_per_second": round(result.tokens_per_second, 1),
        "trained_tokens": result.trained_tokens,
        "versions": _versions(),
        "precision": mixed if mixed != "no" else "fp32",
    }
    for path in (out / "warmline_run.json", target / "warmline_run.json"):
        path.write_text(json.dumps(record, indent=2, ensure_ascii=False), encoding="utf-8")
    (out / "loss.csv").write_text("step,loss\n" + "".join(f"{i + 1},{x:.6f}\n" for i, x in enumerate(losses)))
    _plot(
        losses, out / "loss.png", f"{model_id} {cfg.method}, {run.step} steps, {result.tokens_per_second:.0f} tokens/s"
    )
    for c in _checkpoints(out):
        shutil.rmtree(c, ignore_errors=True)


def _save_checkpoint(acc, out: Path, step: int, losses: list[float], keep: int) -> None:
    path = out / "checkpoints" / f"step-{step}"
    acc.save_state(str(path))
    if acc.is_main_process:
        (path / "warmline_step.json").write_text(json.dumps({"step": step, "losses": losses}))
        for old in _checkpoints(out)[:-keep]:
            shutil.rmtree(old, ignore_errors=True)


def _plot(losses: list[float], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5), dpi=110)
    ax.plot(range(1, len(losses) + 1), losses, marker="o" if len(losses) < 40 else None, lw=1.5)
    ax.set_xlabel("optimizer step")
    ax.set_ylabel("training loss (counselor tokens)")
    ax.set_title(title, fontsize=9)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
