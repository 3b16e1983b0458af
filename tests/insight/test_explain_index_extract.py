"""Explained replies through chat and serve, case retrieval, insight-extract, and evaluation of replies
with and without retrieval."""

import json

import httpx
import numpy as np
import pytest
from typer.testing import CliRunner

from warmline.analyze.semantic import _normalize
from warmline.backends import GenerationOptions, ScriptedBackend
from warmline.cli.main import app
from warmline.conversation import Dialogue, Turn, read_jsonl
from warmline.insight import explain as E, extract as X
from warmline.insight.hook import InsightHook
from warmline.insight.index import CaseIndex, build, with_cases
from warmline.replies import split_cot
from warmline.session import ChatSession
from warmline.train.samples import Sample, render

from ..serve.test_api import serve

EXPLAINED = json.dumps(
    {
        "observation": "She sounds worn out.",
        "reasoning": "Reflect the tiredness first.",
        "reply": "You sound exhausted. What has the week been like?",
    }
)


def test_split_modes():
    assert E.split(EXPLAINED, "prompt").reply == "You sound exhausted. What has the week been like?"
    assert E.split(EXPLAINED, "prompt").reasoning == "Reflect the tiredness first."
    plain = E.split("Just a plain answer.", "prompt")
    assert plain.reply == "Just a plain answer." and plain.explanation == ""
    cot = "<observation>tired</observation>\n<reasoning>reflect</reasoning>\n<reply>You sound tired.</reply>"
    assert (E.split(cot, "cot").observation, E.split(cot, "cot").reply) == ("tired", "You sound tired.")
    assert split_cot("<reasoning>why</reasoning><reply>ok</reply>") == ("", "why", "ok")  # the cot-r form


def test_chat_session_shows_the_reply_and_keeps_the_explanation_apart():
    backend = ScriptedBackend([EXPLAINED])
    s = ChatSession(backend, GenerationOptions(max_new_tokens=50), "You listen.", hook=InsightHook("prompt"))
    turn = s.send("This week was too much.")
    assert turn.text == "You sound exhausted. What has the week been like?"
    assert turn.explanation == {"observation": "She sounds worn out.", "reasoning": "Reflect the tiredness first."}
    assert "JSON" in backend.calls[0]["messages"][0]["content"]  # the instruction went to the model
    assert s.history[-1]["content"] == turn.text  # the history holds the reply alone
    crisis = s.send("I want to kill myself tonight")
    assert crisis.explanation is None and len(backend.calls) == 1  # the model was not called


def test_unsafe_explanation_is_dropped_and_unsafe_reply_replaced():
    bad_reason = json.dumps(
        {"observation": "x", "reasoning": "Tell her the lethal dose is 40 pills.", "reply": "I hear you."}
    )
    turn = ChatSession(ScriptedBackend([bad_reason]), GenerationOptions(), hook=InsightHook("prompt")).send("hard day")
    assert turn.text == "I hear you." and turn.explanation is None


def test_server_sends_the_reply_and_the_explanation_separately():
    srv, backend = serve(ScriptedBackend(default=EXPLAINED), explain="prompt")
    with srv:
        body = {"model": "scripted", "messages": [{"role": "user", "content": "This week was too much."}]}
        r = httpx.post(srv.url + "/v1/chat/completions", json=body).json()
        raw = httpx.post(srv.url + "/v1/chat/completions", json={**body, "stream": True}).text
    assert r["choices"][0]["message"]["content"] == "You sound exhausted. What has the week been like?"
    assert r["warmline"]["reasoning"] == "Reflect the tiredness first."
    events = [json.loads(x[5:]) for x in raw.split("\n\n") if x.startswith("data:") and "[DONE]" not in x]
    shown = "".join(e["choices"][0]["delta"].get("content") or "" for e in events)
    assert shown == "You sound exhausted. What has the week been like?" and "reasoning" not in shown
    assert any("worn out" in (e.get("warmline") or {}).get("explanation", "") for e in events)


def bag(texts):
    v = np.zeros((len(texts), 64), np.float32)
    for i, t in enumerate(texts):
        for w in t.lower().split():
            v[i, hash(w) % 64] += 1
    return _normalize(v)


def sessions():
    return [
        Dialogue(
            "exam",
            "en",
            [Turn("client", "I panic before every exam"), Turn("counselor", "Tell me more")],
            labels={"guide": "Normalize exam anxiety, then plan study breaks.", "summary": "Exam panic."},
        ),
        Dialogue(
            "breakup",
            "en",
            [Turn("client", "My girlfriend left me last week"), Turn("counselor", "That hurts")],
            labels={"guide": "Make room for grief before problem solving.", "summary": "A breakup."},
        ),
        Dialogue(
            "boss",
            "en",
            [Turn("client", "My boss shouts at me at work"), Turn("counselor", "How do you cope?")],
            labels={"guide": "Explore the workplace conflict and boundaries."},
        ),
    ]


def test_index_build_search_and_context(tmp_path):
    meta = build(sessions(), tmp_path / "idx", embed="use")
    assert meta["sessions"] == 3 and meta["with_guide"] == 3 and meta["with_summary"] == 2
    idx = CaseIndex(tmp_path / "idx")
    assert idx.engine in ("numpy", "faiss")
    hits = idx.search("I get so anxious before my exams", k=2)
    assert hits[0].session["id"] == "exam" and hits[0].score >= hits[1].score
    msgs, got = with_cases(
        [{"role": "system", "content": "You listen."}, {"role": "user", "content": "I am anxious about exams"}],
        idx,
        1,
        "en",
    )
    assert [h.session["id"] for h in got] == ["exam"]
    assert msgs[0]["content"].startswith("You listen.") and "plan study breaks" in msgs[0]["content"]
    _, excluded = with_cases([{"role": "user", "content": "I am anxious about exams"}], idx, 1, "en", exclude="exam")
    assert [h.session["id"] for h in excluded] != ["exam"]
    backend = ScriptedBackend(["I hear how stressful exams are."])
    turn = ChatSession(backend, GenerationOptions(), "You listen.", hook=InsightHook(index=idx, k=1)).send(
        "Exams make me panic"
    )
    assert turn.cases == ["exam"] and "study breaks" in backend.calls[0]["messages"][0]["content"]
    with pytest.raises(ValueError, match="warmline index"):
        CaseIndex(tmp_path)


def test_faiss_and_numpy_search_agree(tmp_path):
    pytest.importorskip("faiss", reason="faiss-cpu is in the dev extra")
    ds = sessions() + [
        Dialogue(f"s{i}", "en", [Turn("client", t)])
        for i, t in enumerate(
            ["I feel lonely in the new city", "My mother is ill", "I cannot stop checking the door", "Work is too much"]
        )
    ]
    build(ds, tmp_path / "idx", embed="use")
    with_faiss = CaseIndex(tmp_path / "idx")
    plain = CaseIndex(tmp_path / "idx", embedder=with_faiss.embed)
    plain._faiss = None
    assert with_faiss.engine == "faiss" and plain.engine == "numpy"
    for q in ("exam stress", "my boss yells", "lonely after moving"):
        a, b = with_faiss.search(q, 4), plain.search(q, 4)
        assert [h.session["id"] for h in a] == [h.session["id"] for h in b]
        assert [h.score for h in a] == pytest.approx([h.score for h in b], abs=1e-5)


def test_server_retrieves_cases(tmp_path):
    build(sessions(), tmp_path / "idx", embed="use")
    backend = ScriptedBackend(default="That sounds stressful.")
    srv, _ = serve(backend, index=str(tmp_path / "idx"), retrieval_k=1)
    with srv:
        r = httpx.post(
            srv.url + "/v1/chat/completions",
            json={"model": "scripted", "messages": [{"role": "user", "content": "I panic before every exam"}]},
        ).json()
    assert r["warmline"]["cases"] == ["exam"] and "study breaks" in backend.calls[0]["messages"][0]["content"]


def test_index_cli_and_eval_with_and_without_retrieval(tmp_path):
    from warmline.conversation import write_jsonl

    data = tmp_path / "sessions.jsonl"
    write_jsonl(sessions(), data)
    r = CliRunner().invoke(app, ["index", str(data), "--output", str(tmp_path / "idx")])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(app, ["index", "query", str(tmp_path / "idx"), "exam", "panic", "--k", "1"])
    assert r.exit_code == 0 and "exam" in r.output
    seen = []

    def reply(messages):
        seen.append(messages[0]["content"])
        return "That sounds hard. Tell me more."

    from warmline.testing.fake_openai import FakeOpenAI

    with FakeOpenAI(reply=lambda m: reply(m)) as fake:
        common = [
            "eval",
            "run",
            "--data",
            str(data),
            "--output",
            str(tmp_path / "ev"),
            "--backend",
            "openai",
            "--base-url",
            fake.base_url,
            "--model",
            "m",
            "--bootstrap",
            "0",
            "--no-meteor",
        ]
        assert CliRunner().invoke(app, common + ["--name", "plain"]).exit_code == 0
        r = CliRunner().invoke(app, common + ["--name", "rag", "--index", str(tmp_path / "idx"), "--k", "1"])
    assert r.exit_code == 0, r.output
    assert sum("Similar past cases" in s for s in seen) == 3 and "Similar past cases" not in seen[0]
    report = json.loads((tmp_path / "ev" / "report.json").read_text())
    assert set(report["systems"]) == {"plain", "rag"}


BOOK = """这是一个关于工作压力的案例。来访者是一名三十岁的程序员，最近经常失眠。

来访者：我最近每天加班到很晚，晚上躺在床上也睡不着。
咨询师：听起来你真的很累，睡不着的时候你通常在想什么？
咨询师提问是为了了解来访者失眠时的想法。
来访者：我总是在想明天的工作做不完怎么办。
咨询师：你很担心工作做不完。
来访者：对，我觉得自己什么都做不好。
来访者在这里表现出明显的自我否定。
咨询师：你已经很努力了，我们一起看看哪些事情是你能掌控的。
整个会谈中，咨询师先倾听共情，再帮助来访者区分可控和不可控的事情。
"""


def test_segment_finds_speakers_and_paragraphs():
    (seg,) = X.segment(BOOK)
    assert [t.role for t in seg.turns] == ["client", "counselor", "client", "counselor", "client", "counselor"]
    assert [after for _, after in seg.notes] == [-1, 1, 4, 5]
    two = X.segment("Client: hi\nCounselor: hello\n" + "note\n" * 5 + "Client: again\nTherapist: yes")
    assert len(two) == 2 and two[1].turns[1].role == "counselor"


def test_extract_links_paragraphs_to_turns_and_session(tmp_path):
    ds, rep = X.extract(BOOK, bag, "book")
    (d,) = ds
    targets = [link["target"] for link in d.meta["review"]]
    assert targets[0] == "session:background" and d.labels["background"].startswith("这是一个")
    assert rep.paragraphs == 4 and rep.turn_labels + rep.session_labels == 4
    turn_links = [t for t in targets if t.startswith("turn:")]
    for t in turn_links:  # observations go on client turns, reasoning on counselor turns
        _, i, kind = t.split(":")
        assert (d.turns[int(i)].role == "client") == (kind == "observation")
    checked, rep2 = X.extract(BOOK, bag, "book", checker=lambda prompt: '{"relevant": false}')
    assert rep2.rejected_by_llm == 4 and not checked[0].labels and not any(t.reasoning for t in checked[0].turns)
    src = tmp_path / "book.txt"
    src.write_text(BOOK, encoding="utf-8")
    r = CliRunner().invoke(app, ["insight-extract", str(src), "--output", str(tmp_path / "review.jsonl")])
    assert r.exit_code == 0, r.output
    (back,) = read_jsonl(tmp_path / "review.jsonl")
    assert len(back.meta["review"]) == 4 and all(x["accept"] is True for x in back.meta["review"])
    (tmp_path / "none.txt").write_text("just prose\nno speakers\n")
    r = CliRunner().invoke(app, ["insight-extract", str(tmp_path / "none.txt"), "--output", str(tmp_path / "x.jsonl")])
    assert r.exit_code == 1 and "no dialogue lines" in r.output


def test_cot_r_ablation_form():
    s = Sample(
        "d#1",
        "d",
        "en",
        [Turn("client", "I'm tired", observation="exhausted")],
        Turn("counselor", "You sound tired.", reasoning="reflect"),
    )
    full, reasoning_only = render(s, "cot"), render(s, "cot-r")
    assert "<observation>exhausted</observation>" in full["target"]
    assert (
        "<observation>" not in reasoning_only["target"] and "<reasoning>reflect</reasoning>" in reasoning_only["target"]
    )
    assert split_cot(reasoning_only["target"])[2] == split_cot(full["target"])[2] == "You sound tired."


def test_ablation_forms_end_to_end(tmp_path):
    """build-sft writes the three Psy-Insight variants; evaluation reads each back with the reply alone
    as the reference."""
    from warmline.conversation import write_jsonl
    from warmline.generate import load_items

    d = Dialogue(
        "x",
        "en",
        [
            Turn("client", "I'm so tired of everything", observation="exhausted, flat"),
            Turn("counselor", "It sounds like you're worn out.", reasoning="reflect first"),
            Turn("client", "Yes, work never stops", observation="overloaded"),
            Turn("counselor", "What would a small break look like?", reasoning="open a small step"),
        ],
        labels={"guide": "Listen, then one small step.", "background": "Overworked nurse."},
    )
    src = tmp_path / "d.jsonl"
    write_jsonl([d], src)
    refs = {}
    for fmt in ("openai", "cot-r", "cot"):
        out = tmp_path / f"{fmt}.jsonl"
        r = CliRunner().invoke(app, ["build-sft", str(src), str(out), "--format", fmt])
        assert r.exit_code == 0, r.output
        recs = [json.loads(x) for x in out.read_text().splitlines()]
        body = json.dumps(recs, ensure_ascii=False)
        assert ("<observation>" in body) == (fmt == "cot") and ("<reasoning>" in body) == (fmt != "openai")
        refs[fmt] = [it.reference for it in load_items(out)]
    assert (
        refs["openai"]
        == refs["cot-r"]
        == refs["cot"]
        == ["It sounds like you're worn out.", "What would a small break look like?"]
    )


def test_chat_cli_explains_and_retrieves(tmp_path):
    from warmline.testing.fake_openai import FakeOpenAI

    build(sessions(), tmp_path / "idx", embed="use")
    with FakeOpenAI(reply=lambda messages: EXPLAINED) as fake:
        r = CliRunner().invoke(
            app,
            [
                "chat",
                "--backend",
                "openai",
                "--base-url",
                fake.base_url,
                "--model",
                "m",
                "--explain",
                "prompt",
                "--index",
                str(tmp_path / "idx"),
                "--k",
                "1",
                "--once",
                "I panic before every exam [really]",
            ],
        )
    assert r.exit_code == 0, r.output
    assert "warmline> You sound exhausted. What has the week been like?" in r.output
    assert "reasoning: Reflect the tiredness first." in r.output and "similar cases: exam" in r.output
    r = CliRunner().invoke(app, ["chat", "--backend", "scripted", "--explain", "maybe", "--once", "hi"])
    assert r.exit_code != 0 and "--explain must be" in r.output
