"""LLM labels validated against the taxonomies; the light classifier baseline; the CLI."""

import asyncio
import json

import pytest
from typer.testing import CliRunner

from warmline.backends.scripted import ScriptedBackend
from warmline.cli.main import app
from warmline.conversation import Dialogue, Turn, read_jsonl
from warmline.evaluate.judge import JudgeParseError
from warmline.insight import classify as C
from warmline.insight.labels import label_dialogues, load_labels, parse_labels


def dialogue(did="s1"):
    return Dialogue(
        did,
        "en",
        [
            Turn("system", "sys"),
            Turn("client", "I can't sleep before exams."),
            Turn("counselor", "How long has this been going on?"),
        ],
    )


GOOD = {
    "background": "A student with exam stress.",
    "guide": "Explore the worry first.",
    "topic": ["growth"],
    "psychotherapy": ["cbt"],
    "summary": "The counselor asks about the sleep problem.",
    "turns": [
        {"index": 1, "emotion": ["anxiety"], "observation": "Worried about exams."},
        {"index": 2, "strategy": ["question"], "reasoning": "To learn how long it has lasted."},
    ],
}


def test_taxonomies():
    assert load_labels("strategy").keys[:3] == ["question", "restatement", "reflection_of_feelings"]
    assert len(load_labels("psychotherapy").keys) == 12 and "neutral" in load_labels("emotion").keys
    assert len(load_labels("topic").keys) == 12
    with pytest.raises(ValueError, match="unknown label set"):
        load_labels("colour")


def test_parse_labels_validates_the_schema():
    d = dialogue()
    out = parse_labels(json.dumps(GOOD), d)
    assert out["turns"][2]["strategy"] == ["question"] and out["topic"] == ["growth"]
    for broken in [
        {**GOOD, "turns": GOOD["turns"][:1]},  # a turn without labels
        {**GOOD, "turns": [GOOD["turns"][0], {**GOOD["turns"][1], "strategy": ["hypnosis"]}]},
        {**GOOD, "turns": [{**GOOD["turns"][0], "observation": ""}, GOOD["turns"][1]]},
        {**GOOD, "psychotherapy": []},
        {**GOOD, "summary": None},
        {**GOOD, "turns": GOOD["turns"] + [{"index": 0, "emotion": ["anxiety"], "observation": "x"}]},
    ]:
        with pytest.raises(JudgeParseError):
            parse_labels(json.dumps(broken), d)


def test_label_dialogues_retries_and_resumes(tmp_path):
    out = tmp_path / "labelled.jsonl"
    backend = ScriptedBackend(["not JSON", json.dumps({**GOOD, "topic": ["weather"]})], default=json.dumps(GOOD))
    run = asyncio.run(label_dialogues([dialogue("s1"), dialogue("s2")], backend, out, max_retries=2, concurrency=1))
    assert run.labelled == 2 and run.stats.retries == 2 and not run.failed
    got = list(read_jsonl(out))
    assert got[0].labels["psychotherapy"] == ["cbt"] and got[0].turns[2].strategy == ["question"]
    assert got[0].turns[1].observation == "Worried about exams."
    again = asyncio.run(
        label_dialogues(
            [dialogue("s1"), dialogue("s2"), dialogue("s3")],
            ScriptedBackend(["{}"] * 3),
            out,
            max_retries=2,
            concurrency=1,
        )
    )
    assert again.resumed == 2 and again.failed == ["s3"] and again.labelled == 0
    assert json.loads((tmp_path / "labelled.failed.jsonl").read_text())["id"] == "s3"


def test_classifier_learns_a_separable_task_and_round_trips(tmp_path):
    texts = [f"{w} {i}" for i in range(30) for w in ("why did that happen", "you did so well")]
    labels = ["question", "affirmation_reassurance"] * 30
    clf = C.LabelClassifier.train("strategy", texts, ["en"] * 60, labels)
    test = ["why did it happen then", "you did really well"]
    assert clf.predict(test, ["en", "en"]) == ["question", "affirmation_reassurance"]
    clf.save(tmp_path / "m")
    again = C.LabelClassifier.load(tmp_path / "m")
    assert again.predict(test, ["en", "en"]) == clf.predict(test, ["en", "en"])


def test_split_keeps_dialogues_apart_and_report_on_examples():
    ds = C.example_dialogues()
    assert {d.lang for d in ds} == {"en", "zh"} and len(ds) >= 30
    exs = C.examples(ds, "strategy")
    train, test = C.split_groups(exs)
    assert not {e.group for e in train} & {e.group for e in test}
    rep, _ = C.evaluate("strategy", exs)
    assert rep.test == len(test) and sum(map(sum, rep.confusion)) == rep.test
    assert 0 <= rep.macro_f1 <= 1 and rep.accuracy > rep.majority_accuracy  # better than always one label
    assert rep.seconds < 30


def test_classify_train_cli(tmp_path):
    data = tmp_path / "ex.jsonl"
    r = CliRunner().invoke(app, ["label", "examples", "--output", str(data)])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(
        app, ["label", "classify-train", "--data", str(data), "--task", "emotion", "--output", str(tmp_path / "emo")]
    )
    assert r.exit_code == 0, r.output
    assert "accuracy" in r.output and "macro-F1" in r.output
    rep = json.loads((tmp_path / "emo" / "report.json").read_text())
    assert rep["task"] == "emotion" and (tmp_path / "emo" / "confusion.png").stat().st_size > 1000
    r = CliRunner().invoke(
        app, ["label", "classify-train", "--data", str(data), "--task", "topic", "--output", str(tmp_path / "t")]
    )
    assert r.exit_code != 0 and "need at least two labels" in r.output


def test_per_label_report_names_the_labels_too_rare_to_learn(tmp_path):
    def ex(label, text, group):
        return C.Example(text, label, group, "en")

    train = [ex("question", f"What happened on day {i}?", f"g{i}") for i in range(30)]
    train += [ex("reflection", f"You feel sad and alone, number {i}.", f"h{i}") for i in range(25)]
    train += [ex("role-play", "Let us pretend I am your father.", "r0")]
    test = [ex("question", "What happened then?", "t0")] * 6 + [ex("reflection", "You feel so alone.", "t1")] * 6
    test += [ex("role-play", "Imagine I am your boss.", "t2")]
    rep, _ = C.train_and_score("strategy", train, test, C.Features(meaning=0, context=0))
    assert rep.per_class["role-play"]["train"] == 1 and rep.per_class["question"]["train"] == 30
    assert rep.per_class["role-play"]["support"] == 1 and rep.per_class["reflection"]["support"] == 6
    assert C.scarce_labels(rep) == ["role-play"]
    assert C.scarce_labels(rep, min_test=7) == ["question", "reflection", "role-play"]
    data = tmp_path / "ex.jsonl"
    CliRunner().invoke(app, ["label", "examples", "--output", str(data)])
    r = CliRunner().invoke(
        app, ["label", "classify-train", "--data", str(data), "--task", "strategy", "--output", str(tmp_path / "s")]
    )
    # with the written column the header may wrap "support (test)" on a narrow terminal
    assert r.exit_code == 0 and "train" in r.output and "support" in r.output and "written" in r.output
    r = CliRunner().invoke(
        app,
        ["label", "classify-train", "--data", str(data), "--task", "strategy", "--output", str(tmp_path / "b")]
        + ["--encoder", "bert"],
    )
    assert r.exit_code != 0 and "unknown encoder" in r.output
