"""Options every command that talks to a model shares, and building the backend from them."""

from __future__ import annotations

import typer

from ._ui import console, fail

BACKEND = typer.Option(
    "local",
    "--backend",
    help="local (transformers), openai (any OpenAI-compatible endpoint), "
    "llamacpp (a GGUF through llama-cpp-python) or scripted.",
)
MODEL = typer.Option(
    None,
    "--model",
    help="local: a Hugging Face id or a directory (default: the embedded "
    "SmolLM2-135M-Instruct); openai: the model name the endpoint serves.",
)
ADAPTER = typer.Option(None, "--adapter", help="A LoRA adapter directory (local backend).")
BASE_URL = typer.Option(None, "--base-url", help="OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1.")
API_KEY_ENV = typer.Option("OPENAI_API_KEY", "--api-key-env", help="Environment variable holding the API key.")
PRESET = typer.Option(None, "--preset", help="Generation preset: soulchat, mechat, smile or greedy.")
THRESHOLD = typer.Option(
    None,
    "--threshold",
    min=0.01,
    max=0.99,
    help="The safety classifier's threshold (default: the shipped one's, chosen by cross-validation "
    "on real messages): "
    "higher for fewer false alarms, lower for fewer misses; measure your own messages with "
    "`warmline safety eval FILE --sweep`.",
)

LLM_MODE = typer.Option(
    "raise",
    "--safety-llm-mode",
    help="raise (the LLM check can only raise the risk) or confirm (it can "
    "also clear a flag the classifier raised alone, never a lexicon "
    "match); measure it first with `safety eval`.",
)
CLASSIFIER_FILE = typer.Option(
    None,
    "--classifier-file",
    help="A safety classifier trained with your own labelled messages (`warmline safety "
    "train`), used instead of the bundled one.",
)


def classifier(use: bool, file) -> object:
    """The screen's second stage from the shared options: False (lexicon only), True (the shipped classifier) or
    the one in FILE, failing with what to do when it cannot be read."""
    if file is None or not use:
        return use
    from ..safety.classifier import RiskClassifier

    try:
        return RiskClassifier.load(file)
    except ValueError as e:
        fail(str(e))


ELEVATED_REPLY_WARNING = (
    "warning: --elevated-reply with the embedded 135M model: its replies to people at risk can "
    "do harm (it has approved self-harm; see the README). Use a capable model whose replies to "
    "people at risk you have read."
)


def warn_elevated_reply(elevated_reply: bool, backend: str, model: str | None) -> None:
    """Say so on stderr when elevated replies would come from the embedded model."""
    if elevated_reply and backend in (None, "local", "llamacpp") and not model:
        typer.echo(ELEVATED_REPLY_WARNING, err=True)


def llm_mode(mode: str, checking: bool, flag: str = "--safety-llm local|openai") -> str:
    from ..safety.screener import LLM_MODES

    if mode not in LLM_MODES:
        fail(f"the LLM check's mode must be raise or confirm, not {mode!r}")
    if mode == "confirm" and not checking:
        fail(f"confirm is a mode of the LLM check: add one with {flag}")
    return mode


def build(
    backend: str,
    model: str | None,
    adapter: str | None,
    base_url: str | None,
    api_key_env: str,
    concurrency: int = 8,
    max_retries: int = 5,
    timeout: float = 120.0,
):
    from ..backends import make_backend
    from ..backends.embedded import ModelNotFound

    try:
        return make_backend(
            backend,
            model=model,
            adapter=adapter,
            base_url=base_url,
            api_key_env=api_key_env,
            concurrency=concurrency,
            max_retries=max_retries,
            timeout=timeout,
            log=lambda m: console().print(f"[dim]{m}[/dim]"),
        )
    except (ModelNotFound, ValueError) as e:
        fail(str(e))


def insight_options(explain: str, index) -> object:
    """Check --explain and open --index (a warmline.insight.index.CaseIndex, or None), failing with what
    to do."""
    if explain not in ("off", "cot", "prompt"):
        fail("--explain must be off, cot or prompt")
    if index is None:
        return None
    from ..insight.index import CaseIndex

    try:
        return CaseIndex(index)
    except (ValueError, ImportError) as e:  # ImportError: an index with a BM25 view, without bm25s
        fail(str(e))
