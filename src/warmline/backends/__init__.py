"""Model backends behind one interface (`ChatBackend.generate`): local transformers, any
OpenAI-compatible endpoint, llama.cpp (optional extra), and a scripted backend for tests and demos."""

from __future__ import annotations

from .base import PRESETS, BackendError, ChatBackend, GenerationOptions, Reply, preset
from .scripted import ScriptedBackend

BACKENDS = ("local", "openai", "llamacpp", "scripted")


def make_backend(
    kind: str = "local",
    *,
    model: str | None = None,
    adapter: str | None = None,
    base_url: str | None = None,
    api_key_env: str = "OPENAI_API_KEY",
    concurrency: int = 8,
    max_retries: int = 5,
    timeout: float = 120.0,
    replies: list[str] | None = None,
    log=None,
) -> ChatBackend:
    """Build a backend by name. Heavy imports happen here, not at module import."""
    if kind == "local":
        from .local import LocalBackend

        return LocalBackend(model=model, adapter=adapter, log=log)
    if kind == "openai":
        from .openai_compat import OpenAIBackend

        if not base_url:
            raise ValueError(
                "the openai backend needs --base-url (e.g. https://api.openai.com/v1, "
                "http://127.0.0.1:8000/v1 for vLLM, http://127.0.0.1:11434/v1 for Ollama)"
            )
        if not model:
            raise ValueError("the openai backend needs --model (the name the endpoint serves)")
        return OpenAIBackend(
            base_url=base_url,
            model=model,
            api_key_env=api_key_env,
            concurrency=concurrency,
            max_retries=max_retries,
            timeout=timeout,
        )
    if kind == "llamacpp":
        from .llamacpp import LlamaCppBackend

        if adapter:
            raise ValueError(
                "the llamacpp backend runs a GGUF file; merge the adapter (warmline train --merge) and "
                "convert it to GGUF with llama.cpp's convert_hf_to_gguf.py"
            )
        return LlamaCppBackend(model=model, log=log)
    if kind == "scripted":
        return ScriptedBackend(replies or [], default="I'm here and listening. Can you tell me more?")
    raise ValueError(f"unknown backend {kind!r}; choose one of {', '.join(BACKENDS)}")


__all__ = [
    "BACKENDS",
    "PRESETS",
    "BackendError",
    "ChatBackend",
    "GenerationOptions",
    "Reply",
    "ScriptedBackend",
    "make_backend",
    "preset",
]
