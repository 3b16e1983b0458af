"""The strategy classifier's surface cues, its written (synthetic) training examples, the row-space fit
and the decision rule's offsets."""

import json

import numpy as np
from scipy import sparse
from typer.testing import CliRunner

from warmline.cli.main import app
from warmline.insight import classify as C, cues
from warmline.insight.written import aligned, read_written


def cue(text, context, lang, name):
    raw = cues.dense_cues([text], [context], [lang])[0]
    return raw[cues.NAMES.index(name)]


def test_cues_see_a_restatement_a_question_and_the_first_turn():
    client = "My sister never calls me back and I end up waiting by the phone all weekend."
    restate = "So your sister never calls back, and you spend the weekend waiting by the phone."
    ask = "What do you usually do on weekends?"
    share = "share of its words from the turn before"
    assert cue(restate, client, "en", share) > 0.3 > cue(ask, client, "en", share)
    assert cue(ask, client, "en", "asks (ends with ?)") > 0 == cue(restate, client, "en", "asks (ends with ?)")
    assert cue(ask, "", "en", "first turn") > 0 == cue(ask, client, "en", "first turn")
    zh_client = "我妈妈总是拿我和表姐比较，我觉得自己怎么做都不够好。"
    zh_restate = "你是说妈妈总拿你和表姐比较，你觉得怎么做都不够好。"
    zh_ask = "这种情况持续多久了？"
    assert cue(zh_restate, zh_client, "zh", share) > 0.3 > cue(zh_ask, zh_client, "zh", share)
    assert cue(zh_ask, zh_client, "zh", "asks (ends with ?)") > 0
    rows = cues.dense_cues([restate, zh_ask], [client, ""], ["en", "zh"])
    assert rows.shape == (2, len(cues.NAMES)) and np.allclose(np.linalg.norm(rows, axis=1), 1)


def test_opening_words_are_hashed_per_language():
    assert cues.opening("So you feel stuck?", "en") == ["o0:so", "o1:so you", "end:?"]
    assert cues.opening("听起来你很累。", "zh")[:3] == ["o0:听", "o1:听起", "o2:听起来"]
    X = cues.opening_features(["So you feel stuck?", "So you feel stuck?", ""], ["en", "en", "en"], 1 << 10)
    assert X.shape == (3, 1 << 10) and (X[0] != X[1]).nnz == 0 and X[2].nnz == 0


def test_row_space_fit_gives_the_same_weights_as_the_full_fit():
    rng = np.random.default_rng(0)
    X = sparse.random(40, 300, density=0.05, random_state=1, format="csr")
    X = sparse.hstack([X, sparse.csr_matrix(rng.normal(size=(40, 8)))]).tocsr()  # a dense block, as embeddings
    y = rng.integers(0, 3, 40)
    w = C.class_weights(y, 3, 1.0)
    W1, b1 = C.fit_softmax(X, y, 3, 1e-2, w)
    W2, b2 = C.fit_softmax_small(X, y, 3, 1e-2, w)
    assert np.allclose(W1, W2, atol=1e-6) and np.allclose(b1, b2, atol=1e-6)


def test_offsets_change_the_decision_and_survive_saving(tmp_path):
    texts = [f"{w} {i}" for i in range(20) for w in ("why did that happen", "you did so well")]
    clf = C.LabelClassifier.train(
        "strategy", texts, ["en"] * 40, ["question", "affirmation"] * 20, features=C.Features(meaning=0, context=0)
    )
    assert clf.predict(["why did that happen"], ["en"]) == ["question"]
    clf.offsets = np.array([0.0, 50.0])  # classes are sorted: affirmation, question
    assert clf.predict(["you did so well"], ["en"]) == ["question"]
    clf.save(tmp_path / "m")
    assert C.LabelClassifier.load(tmp_path / "m").predict(["you did so well"], ["en"]) == ["question"]


def test_the_project_written_examples_read_whole():
    got = read_written()
    assert not got.quarantined and len(got.examples) >= 400
    assert {e.lang for e in got.examples} == {"en", "zh"}
    rare = {"Role-play", "Restatement or Paraphrasing", "Affirmation and Reassurance"}
    assert rare <= {e.label for e in got.examples}
    assert all(e.text and e.group.startswith("written:") for e in got.examples)


def test_bad_written_lines_are_quarantined_with_file_and_line(tmp_path):
    path = tmp_path / "mine.jsonl"
    good = {"lang": "en", "strategy": "Role-play", "client": "My boss scares me.", "counselor": "I'll be him: 'Yes?'"}
    lines = ["\ufeff" + json.dumps(good), "{not json", json.dumps({**good, "lang": "fr"}), "", json.dumps([1])]
    lines.append(json.dumps({**good, "counselor": " "}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    got = read_written([path])
    assert len(got.examples) == 1 and got.examples[0].context == "My boss scares me."
    assert [q["line"] for q in got.quarantined] == [2, 3, 5, 6]
    assert all(q["file"] == str(path) and q["reason"] for q in got.quarantined)
    assert "en or zh" in got.quarantined[1]["reason"]


def test_written_examples_take_the_names_the_real_turns_use():
    exs = read_written().examples
    keys, left = aligned(exs, {"question", "restatement", "others"})
    assert {e.label for e in keys} == {"restatement", "others"} and left == len(exs) - len(keys) > 0
    same, none_left = aligned(exs, {e.label for e in exs})
    assert len(same) == len(exs) and none_left == 0


def test_written_examples_teach_a_strategy_the_real_turns_barely_have():
    def ex(label, text, group):
        return C.Example(text, label, group, "en")

    train = [ex("question", f"What happened on day {i}?", f"q{i}") for i in range(30)]
    train += [ex("Role-play", "Let us pretend I am your father.", "r0")]
    test = [ex("Role-play", "I'll play your boss, and you ask me for the raise.", "t0")]
    test += [ex("question", "What happened after that?", "t1")]
    extra = [e for e in read_written().examples if e.label == "Role-play" and e.lang == "en"]
    f = C.Features(meaning=0, context=0, cues=1.0)
    without, clf0 = C.train_and_score("strategy", train, test, f)
    with_written, clf1 = C.train_and_score("strategy", train, test, f, extra=extra)
    assert with_written.per_class["Role-play"]["written"] == len(extra) > 0
    assert "written" not in without.per_class["Role-play"]
    roles = ["Pretend I'm your sister. Say it to me now.", "[as his mother] Why didn't you call me?"]
    p0, p1 = (np.exp(c.scores(roles, ["en", "en"])[:, c.classes.index("Role-play")]) for c in (clf0, clf1))
    # a question asked in character looks like a question to a classifier that saw one role-play turn
    assert p0[1] < 0.5 < p1[1] and p1.mean() > p0.mean() + 0.1
    assert C.macro_f1_without(with_written, ("Role-play",)) == with_written.per_class["question"]["f1"]


def test_classify_train_quarantines_bad_written_examples(tmp_path):
    data = tmp_path / "ex.jsonl"
    CliRunner().invoke(app, ["label", "examples", "--output", str(data)])
    mine = tmp_path / "mine.jsonl"
    row = {"lang": "en", "strategy": "Others", "client": "Hi.", "counselor": "Good to see you again."}
    mine.write_text(json.dumps(row) + "\n{broken\n", encoding="utf-8")
    out = tmp_path / "s"
    args = ["label", "classify-train", "--data", str(data), "--task", "strategy", "--output", str(out)]
    r = CliRunner().invoke(app, args + ["--written-file", str(mine)])
    assert r.exit_code == 0, r.output
    assert "1 malformed written example(s) quarantined" in r.output and "training also on 1 written turns" in r.output
    bad = [json.loads(x) for x in (out / "written.quarantine.jsonl").read_text().splitlines()]
    assert bad[0]["line"] == 2 and bad[0]["file"] == str(mine)
    r = CliRunner().invoke(app, args[:-1] + [str(tmp_path / "e"), "--task", "emotion", "--written-file", str(mine)])
    assert r.exit_code != 0 and "--task strategy" in r.output


def test_evaluate_trains_on_written_examples_and_tests_only_real_turns():
    exs = C.examples(C.example_dialogues(), "strategy")
    extra, _ = aligned(read_written().examples, {e.label for e in exs})
    f = C.Features.for_task("strategy")
    assert f.cues > 0 and C.Features.for_task("emotion").cues == 0
    f.meaning = f.context = 0  # n-grams and cues: no encoder needed here
    plain, _ = C.evaluate("strategy", exs, features=f)
    rep, _ = C.evaluate("strategy", exs, features=f, extra=extra, extra_weight=0.5)
    assert rep.test == plain.test and rep.train == plain.train  # the written turns are counted apart
    assert f"{len(extra)} written examples x0.5" in rep.features and "written" not in plain.features
    assert all(v["written"] == sum(e.label == c for e in extra) for c, v in rep.per_class.items())
    assert any(v["written"] for v in rep.per_class.values())


def test_for_training_quarantines_to_a_file_and_names_turns_as_the_data_does(tmp_path):
    from warmline.insight.written import for_training

    mine = tmp_path / "mine.jsonl"
    row = {"lang": "en", "strategy": "Question", "client": "Hi.", "counselor": "What brings you here?"}
    mine.write_text(json.dumps(row) + "\n{broken\n", encoding="utf-8")
    got = for_training({"question"}, [mine], tmp_path / "out" / "q.jsonl")
    assert [e.label for e in got.examples] == ["question"] and got.left == 0 and got.quarantined == 1
    assert json.loads(got.quarantine.read_text().splitlines()[0])["line"] == 2
    clean = tmp_path / "clean.jsonl"
    clean.write_text(json.dumps(row) + "\n", encoding="utf-8")
    got = for_training({"others"}, [clean], tmp_path / "none.jsonl")
    assert got.examples == [] and got.left == 1 and got.quarantine is None and not (tmp_path / "none.jsonl").exists()


def test_classify_train_prints_a_written_file_name_as_written(tmp_path):
    # a file name is the user's text, not markup: "[red]" in it was swallowed as a style
    data = tmp_path / "ex.jsonl"
    CliRunner().invoke(app, ["label", "examples", "--output", str(data)])
    mine = tmp_path / "mine[red].jsonl"
    row = {"lang": "en", "strategy": "Others", "client": "Hi.", "counselor": "Good to see you again."}
    mine.write_text(json.dumps(row) + "\n", encoding="utf-8")
    args = ["label", "classify-train", "--data", str(data), "--task", "strategy", "--output", str(tmp_path / "s")]
    r = CliRunner().invoke(app, args + ["--written-file", str(mine)])
    assert r.exit_code == 0, r.output
    assert "mine[red].jsonl" in r.output
