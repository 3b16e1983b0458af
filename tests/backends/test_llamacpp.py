"""The llama.cpp backend on the embedded GGUF (optional extra `warmline[llamacpp]`: runs where it is
installed; CI does not build llama.cpp)."""

import pytest

from warmline.backends import GenerationOptions, make_backend
from warmline.session import ChatSession

llama_cpp = pytest.importorskip("llama_cpp", reason="optional extra: pip install 'warmline[llamacpp]'")


@pytest.fixture(scope="module")
def llm():
    return make_backend("llamacpp")


def test_generates_streams_and_stops(llm):
    msgs = [{"role": "user", "content": "Say hello in one short sentence."}]
    greedy = GenerationOptions(temperature=0.0, max_new_tokens=24)
    reply = llm.generate(msgs, greedy)
    assert reply.text and reply.completion_tokens and reply.model == llm.model_id == "smollm2-135m-instruct.q4_1"
    assert "".join(llm.stream(msgs, greedy)).strip() == reply.text  # greedy: the same words either way
    word = reply.text.split()[1]
    cut = llm.generate(msgs, GenerationOptions(temperature=0.0, max_new_tokens=24, stop=[word]))
    assert word not in cut.text and reply.text.startswith(cut.text.strip())


def test_through_the_safety_layer(llm):
    s = ChatSession(llm, GenerationOptions(temperature=0.0, max_new_tokens=20), "You are a kind listener.")
    assert s.send("I had a long day at work.").text
    assert s.send("I want to kill myself tonight").user_verdict.risk == "imminent"


def test_refuses_what_it_cannot_run(tmp_path):
    with pytest.raises(ValueError, match="gguf"):
        make_backend("llamacpp", model=str(tmp_path))
    with pytest.raises(ValueError, match="merge the adapter"):
        make_backend("llamacpp", adapter=str(tmp_path))


def test_served_and_streamed(llm):
    from openai import OpenAI

    from ..serve.test_api import serve

    srv, _ = serve(llm)
    with srv:
        client = OpenAI(base_url=srv.url + "/v1", api_key="unused")
        pieces = [
            c.choices[0].delta.content or ""
            for c in client.chat.completions.create(
                model=llm.model_id,
                stream=True,
                max_tokens=16,
                temperature=0,
                messages=[{"role": "user", "content": "Hello, I feel a bit low today."}],
            )
        ]
    assert len([p for p in pieces if p]) > 1 and "".join(pieces).strip()
