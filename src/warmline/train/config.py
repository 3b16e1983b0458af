"""Training configuration in three layers: defaults here, a YAML file (a preset or --config), then
command-line overrides. Unknown keys are refused."""

from __future__ import annotations

from importlib import resources as ir
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

PRESETS = ("soulchat", "mechat", "psy-insight", "cpu-tiny")


class TrainConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", protected_namespaces=())

    model: str | None = Field(
        None, description="Base model: a Hugging Face id or a directory (default: the embedded SmolLM2 model)."
    )
    data: str | None = Field(None, description="JSONL from build-sft (openai, soulchat or cot), or dialogues.")
    output: str | None = Field(None, description="Run directory: adapter/, loss.png, warmline_run.json.")
    method: Literal["lora", "qlora", "full"] = Field("lora", description="lora, qlora (CUDA only) or full.")
    lora_r: int = Field(8, description="LoRA rank.")
    lora_alpha: int = Field(16, description="LoRA scaling (alpha).")
    lora_dropout: float = Field(0.05, description="Dropout on the LoRA branch.")
    target_modules: str | list[str] = Field(
        "all-linear", description="Modules LoRA adapts: all-linear, or names separated by commas."
    )
    learning_rate: float = Field(2e-4, description="Peak learning rate.")
    lr_scheduler: str = Field("cosine", description="A transformers scheduler name (cosine, linear, constant...).")
    warmup_steps: int = Field(0, description="Optimizer steps of linear warmup.")
    weight_decay: float = Field(0.0, description="AdamW weight decay.")
    max_grad_norm: float = Field(1.0, description="Clip gradients to this norm (0 = no clipping).")
    max_steps: int | None = Field(None, description="Stop after this many optimizer steps (over --epochs).")
    epochs: float = Field(1.0, description="Passes over the data when --max-steps is not set.")
    batch_size: int = Field(1, description="Examples per micro-batch.")
    grad_accum: int = Field(1, description="Micro-batches per optimizer step.")
    max_length: int = Field(2048, description="Tokens per example; longer ones lose their oldest history.")
    loss_on: Literal["last", "all"] = Field("last", description="last counselor reply only, or every counselor turn.")
    grad_checkpointing: bool = Field(False, description="Recompute activations to save memory.")
    precision: Literal["auto", "fp32", "bf16", "fp16"] = Field(
        "auto", description="auto: bf16/fp16 on a GPU, fp32 on CPU."
    )
    seed: int = Field(42, description="Seed for shuffling and initialisation.")
    save_every: int = Field(0, description="Checkpoint every N steps (resume by running again); 0 = only at the end.")
    keep_checkpoints: int = Field(2, description="How many checkpoints to keep.")
    merge: bool = Field(False, description="Also save the LoRA-merged model.")
    system_prompt: str | None = Field(None, description="System prompt for examples that have none.")
    threads: int | None = Field(None, description="CPU threads for torch.")

    @field_validator("target_modules")
    @classmethod
    def _modules(cls, v):
        if isinstance(v, str) and "," in v:
            return [m.strip() for m in v.split(",") if m.strip()]
        return v


def preset_path(name: str) -> Path:
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}")
    return Path(str(ir.files("warmline").joinpath(f"data/train/{name}.yaml")))


def load_config(preset: str | None = None, config: str | Path | None = None, **overrides) -> TrainConfig:
    """Defaults, then the preset, then a config file, then overrides (None values are ignored)."""
    values: dict = {}
    for path in (preset_path(preset) if preset else None, Path(config) if config else None):
        if path is None:
            continue
        if not path.is_file():
            raise ValueError(f"config file {path} does not exist")
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict):
            raise ValueError(f"{path}: expected a mapping of training options")
        values.update(data)
    values.update({k: v for k, v in overrides.items() if v is not None})
    return TrainConfig(**values)
