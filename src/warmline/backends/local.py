"""Local generation with transformers: any Hugging Face model id or local directory (the embedded
default when none is given), an optional LoRA adapter (peft), batched generation with left padding,
streaming, CPU or GPU."""

from __future__ import annotations

import threading
from collections.abc import Iterator

from .base import ChatBackend, GenerationOptions, Message, Reply, StopStream, cut_at_stop
from .embedded import EMBEDDED, ModelNotFound, resolve, unmark_quantized


class LocalBackend(ChatBackend):
    name = "local"
    supports_streaming = True
    supports_batching = True

    def __init__(
        self,
        model: str | None = None,
        adapter: str | None = None,
        device: str = "auto",
        dtype: str = "auto",
        threads: int | None = None,
        log=None,
    ):
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        if threads:
            torch.set_num_threads(threads)
        path, local_only = resolve(model, log)
        self.model_id = EMBEDDED if model in (None, "", "embedded", "default") else model
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        self.device = device
        torch_dtype = {
            "auto": torch.bfloat16 if device.startswith("cuda") else torch.float32,
            "float32": torch.float32,
            "bfloat16": torch.bfloat16,
            "float16": torch.float16,
        }[dtype]
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=local_only)
            net = AutoModelForCausalLM.from_pretrained(path, dtype=torch_dtype, local_files_only=local_only)
        except OSError as e:
            raise ModelNotFound(
                f"could not load model {model!r}: {str(e).splitlines()[0]}. Download it first "
                f"(`huggingface-cli download {model}`) or pass a local directory with --model; "
                "`warmline models` lists what is available offline"
            ) from None
        unmark_quantized(net)
        if adapter:
            from peft import PeftModel

            net = PeftModel.from_pretrained(net, adapter)
            self.model_id = f"{self.model_id}+{adapter}"
        self.model = net.to(device).eval()
        self.tokenizer.padding_side = "left"
        if self.tokenizer.pad_token is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self._lock = threading.Lock()  # one generate at a time per model

    def _prompt(self, messages: list[Message]) -> str:
        return self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)

    def _kwargs(self, o: GenerationOptions) -> dict:
        kw = {"max_new_tokens": o.max_new_tokens, "pad_token_id": self.tokenizer.pad_token_id}
        if o.temperature > 0:
            kw.update(do_sample=True, temperature=o.temperature, top_p=o.top_p)
        else:
            kw.update(do_sample=False, temperature=None, top_p=None, top_k=None)
        return kw

    def _seed(self, o: GenerationOptions) -> None:
        if o.seed is not None:
            import torch

            torch.manual_seed(o.seed)

    def generate(self, messages: list[Message], options: GenerationOptions) -> Reply:
        return self.generate_batch([messages], options)[0]

    def generate_batch(self, batch: list[list[Message]], options: GenerationOptions) -> list[Reply]:
        import torch

        enc = self.tokenizer(
            [self._prompt(m) for m in batch], return_tensors="pt", padding=True, add_special_tokens=False
        ).to(self.device)
        with self._lock, torch.inference_mode():
            self._seed(options)
            out = self.model.generate(**enc, **self._kwargs(options))
        width = enc["input_ids"].shape[1]
        replies = []
        for i in range(len(batch)):
            new = out[i, width:]
            n_new = int((new != self.tokenizer.pad_token_id).sum())
            text = self.tokenizer.decode(new, skip_special_tokens=True).strip()
            text, hit = cut_at_stop(text, options.stop)
            finish = "stop" if hit or n_new < options.max_new_tokens else "length"
            replies.append(Reply(text, int(enc["attention_mask"][i].sum()), n_new, finish, self.model_id))
        return replies

    def stream(self, messages: list[Message], options: GenerationOptions) -> Iterator[str]:
        """Yield text as it is generated. Closing the iterator early (a client that left) stops the
        generation at the next token, which frees the model for the next request."""
        import torch
        from transformers import StoppingCriteria, StoppingCriteriaList, TextIteratorStreamer

        enc = self.tokenizer([self._prompt(messages)], return_tensors="pt", add_special_tokens=False).to(self.device)
        streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True)
        halt = threading.Event()
        errors: list[BaseException] = []

        class _Halt(StoppingCriteria):
            def __call__(self, input_ids, scores, **kwargs) -> bool:
                return halt.is_set()

        def run() -> None:
            try:
                with self._lock, torch.inference_mode():
                    self._seed(options)
                    self.model.generate(
                        **enc,
                        **self._kwargs(options),
                        streamer=streamer,
                        stopping_criteria=StoppingCriteriaList([_Halt()]),
                    )
            except BaseException as e:  # surfaced to the caller below
                errors.append(e)
                streamer.end()

        worker = threading.Thread(target=run, daemon=True)
        worker.start()
        stopper = StopStream(options.stop)
        first = True
        ended = False  # the streamer delivered its end marker: iterating it again would block forever
        try:
            for chunk in streamer:
                if first:
                    chunk, first = chunk.lstrip(), not chunk.strip()
                out = stopper.feed(chunk)
                if out:
                    yield out
                if stopper.done:
                    break
            else:
                ended = True
            tail = stopper.flush()
            if tail:
                yield tail
        finally:
            halt.set()
            if not ended:
                for _ in streamer:  # drain what is left so the worker can finish
                    pass
            worker.join()
        if errors:
            raise errors[0]
