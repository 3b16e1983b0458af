"""The runner with a scripted backend: acceptance, regeneration, rejection, provenance, resume,
exactly-once after a partial line, unusable input, limits and the audit file."""

from __future__ import annotations

import json

from warmline.backends import ScriptedBackend
from warmline.conversation import Dialogue, Turn, read_jsonl, write_jsonl
from warmline.synth.prompts import topics
from warmline.synth.runner import SynthOptions, done_keys, dry_run, output_paths, run
from warmline.testing.fake_openai import synth_reply

GOOD = synth_reply(6)


def qa_file(tmp_path, n=3, lang="en"):
    ds = [
        Dialogue(
            f"q{i}",
            lang,
            [
                Turn("client", f"Question {i}: I can't sleep since my move."),
                Turn("counselor", f"Answer {i}: moving is hard; routines help."),
            ],
            provenance={"source": "test", "license": "CC0-1.0"},
        )
        for i in range(n)
    ]
    path = tmp_path / "qa.jsonl"
    write_jsonl(ds, path)
    return path


def lines(path):
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def test_accept_regenerate_reject_and_record_provenance(tmp_path):
    inp, out = qa_file(tmp_path), tmp_path / "out.jsonl"
    b = ScriptedBackend([GOOD, "not a dialogue", GOOD, "junk", "junk", "junk"])
    opts = SynthOptions(method="smile", concurrency=1, max_retries=2, seed=5, audit=str(tmp_path / "audit.jsonl"))
    s = run(inp, out, b, opts)
    assert (s.planned, s.accepted, s.rejected, s.attempts, s.retried) == (3, 2, 1, 6, 3)
    assert s.reasons["no_dialogue"] == 4
    acc = list(read_jsonl(out))
    assert [d.meta["attempts"] for d in acc] == [1, 2]
    d = acc[0]
    assert d.provenance == {
        "source": "test",
        "source_id": "q0",
        "license": "CC0-1.0",
        "generator": "scripted",
        "method": "smile",
        "prompt": "smile",
        "prompt_version": "1",
        "seed": d.provenance["seed"],
        "temperature": 1.0,
        "top_p": 1.0,
    }
    assert d.meta["key"] == "q0|smile|1|0" and d.meta["source_qa"]["question"].startswith("Question 0")
    assert d.turns[0].role == "client" and len(d.turns) == 12 and d.lang == "en"
    (rej,) = lines(output_paths(out)["rejected"])
    assert rej["key"] == "q2|smile|1|0" and [a["reasons"] for a in rej["attempts"]] == [["no_dialogue"]] * 3
    audit = lines(tmp_path / "audit.jsonl")
    assert len(audit) == 6 and {a["attempt"] for a in audit} == {0, 1, 2}
    # the regenerated attempt used a different seed
    seeds = [c["options"]["seed"] for c in b.calls]
    assert seeds[1] != seeds[2] and seeds[2] == seeds[1] + 1


def test_rerun_resumes_and_skips_everything_done(tmp_path):
    inp, out = qa_file(tmp_path, 4), tmp_path / "out.jsonl"
    run(inp, out, ScriptedBackend(default=GOOD), SynthOptions(method="smile", limit=2))
    b = ScriptedBackend(default=GOOD)
    s = run(inp, out, b, SynthOptions(method="smile"))
    assert (s.skipped_done, s.accepted, len(b.calls)) == (2, 2, 2)
    assert [d.meta["key"].split("|")[0] for d in read_jsonl(out)] == ["q0", "q1", "q2", "q3"]
    b = ScriptedBackend(default=GOOD)
    s = run(inp, out, b, SynthOptions(method="smile"))
    assert (s.skipped_done, s.accepted, b.calls) == (4, 0, [])


def test_partial_line_from_a_kill_is_cut_and_redone(tmp_path):
    inp, out = qa_file(tmp_path), tmp_path / "out.jsonl"
    run(inp, out, ScriptedBackend(default=GOOD), SynthOptions(method="smile", limit=1))
    with out.open("a") as f:
        f.write('{"id": "smile-q1-0", "lang": "en", "turns": [{"role": "cli')  # killed mid-write
    s = run(inp, out, ScriptedBackend(default=GOOD), SynthOptions(method="smile"))
    assert s.accepted == 2
    keys = [d.meta["key"] for d in read_jsonl(out)]
    assert sorted(keys) == ["q0|smile|1|0", "q1|smile|1|0", "q2|smile|1|0"] and len(set(keys)) == 3


def test_multi_turn_input_is_quarantined_for_rewrites_but_fine_for_standard(tmp_path):
    inp = tmp_path / "mixed.jsonl"
    write_jsonl(
        [
            Dialogue.from_dict(
                {
                    "id": "m",
                    "lang": "zh",
                    "turns": [
                        {"role": "client", "text": "一"},
                        {"role": "counselor", "text": "二"},
                        {"role": "client", "text": "三"},
                    ],
                }
            )
        ],
        inp,
    )
    s = run(inp, tmp_path / "a.jsonl", ScriptedBackend(default=GOOD), SynthOptions(method="smile"))
    assert (s.input_bad, s.accepted) == (0 + 1, 0)
    (q,) = lines(tmp_path / "a.quarantine.jsonl")
    assert "single-turn" in q["reason"]
    s = run(inp, tmp_path / "b.jsonl", ScriptedBackend(default=GOOD), SynthOptions(method="standard"))
    assert s.accepted == 1


def test_samples_topics_and_keys(tmp_path):
    inp, out = qa_file(tmp_path, 2, "zh"), tmp_path / "out.jsonl"
    b = ScriptedBackend(default=GOOD)
    s = run(inp, out, b, SynthOptions(method="standardT", samples=3, lang="zh", concurrency=1))
    assert s.accepted == 6 and len(done_keys(output_paths(out))) == 6
    out_dialogues = list(read_jsonl(out))
    assert [d.meta["key"] for d in out_dialogues] == [f"q{i}|standardT|1|{k}" for i in range(2) for k in range(3)]
    for d, call in zip(out_dialogues, b.calls):
        assert d.labels["topic"] in topics("zh")
        assert f'围绕"{d.labels["topic"]}"' in call["messages"][0]["content"]
    assert all(d.provenance["prompt"] == "standardT" for d in out_dialogues)


def test_dry_run_sends_nothing_and_estimates(tmp_path):
    inp, out = qa_file(tmp_path, 3), tmp_path / "out.jsonl"
    est = dry_run(inp, out, SynthOptions(method="soulchat"), "gpt-4o-mini")
    assert est["jobs"] == 3 and est["first_prompt"].count("Question 0") == 1
    assert est["est_prompt_tokens"] > 3 * 100 and est["est_cost_usd"] > 0
    assert not out.exists()
