"""Training configuration in three layers: defaults here, a YAML file (a preset or --config), then
command-line overrides. Unknown keys are refused."""

from __future__ import annotations

from importlib import resources as ir
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

PRESETS = ("soulchat", "mechat", "psy-insight", "cpu-tiny")


class TrainConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", protected_namespaces=())

    model: str | None = Field(None, description="HF id or directory; empty = the embedded SmolLM2 model")
    data: str | None = Field(None, description="JSONL from build-sft (openai, soulchat or cot) or dialogues")
    eval_data: str | None = None
    output: str | None = None
    method: Literal["lora", "qlora", "full"] = "lora"
    lora_r: int = 8
    lora_alpha: int = 16
    lora_dropout: float = 0.05
    target_modules: str | list[str] = "all-linear"
    learning_rate: float = 2e-4
    lr_scheduler: str = "cosine"
    warmup_steps: int = 0
    weight_decay: float = 0.0
    max_grad_norm: float = 1.0
    max_steps: int | None = None
    epochs: float = 1.0
    batch_size: int = 1
    grad_accum: int = 1
    max_length: int = 2048
    loss_on: Literal["last", "all"] = Field("last", description="last counselor reply only, or every counselor turn")
    grad_checkpointing: bool = False
    precision: Literal["auto", "fp32", "bf16", "fp16"] = "auto"
    seed: int = 42
    save_every: int = 0
    keep_checkpoints: int = 2
    log_every: int = 1
    merge: bool = False
    system_prompt: str | None = None
    threads: int | None = None


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
