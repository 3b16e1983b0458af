"""Measuring the screen on real messages (`warmline.safety.real`) and the shipped linear classifier."""

import math
from pathlib import Path

import numpy as np
import pytest

from warmline.safety import real
from warmline.safety.detect import Verdict
from warmline.safety.linear import LinearRiskClassifier, fit_logistic, shipped

TINY = Path(__file__).parent / "assets" / "safety" / "real_tiny.jsonl"


def test_load_rows_quarantines_bad_lines():
    bad = []
    rows = real.load_rows(TINY, bad)
    assert [r["id"] for r in rows] == ["cc-1", "cc-2", "smilechat-10-0", "smilechat-10-3", "smilechat-12-0"]
    assert [b["line"] for b in bad] == [5, 6] and all(b["file"] == str(TINY) for b in bad)
    with pytest.raises(ValueError, match=r"real_tiny.jsonl:5"):
        real.load_rows(TINY)


def test_wilson_matches_the_formula():
    # reference: Wilson (1927), k=36, n=41 -> [0.745, 0.947] (statsmodels proportion_confint method="wilson")
    lo, hi = real.wilson(36, 41)
    assert (round(lo, 3), round(hi, 3)) == (0.745, 0.947)
    assert real.wilson(0, 0) == (0.0, 1.0)
    lo, hi = real.wilson(0, 10)
    assert lo == 0.0 and math.isclose(hi, 0.2775, abs_tol=1e-4)


def test_groups_join_dialogues_and_near_duplicates():
    rows = [{"id": "smilechat-1-0"}, {"id": "smilechat-1-4"}, {"id": "smilechat-2-0"}, {"id": "cc-7"}]
    v = np.eye(4)
    v[3] = v[2]  # cc-7 repeats smilechat-2-0 word for word
    g = real.groups(rows, v)
    assert g[0] == g[1] and g[2] == g[3] and g[0] != g[2]
    folds = real.folds_of(g, rows, 5)
    assert folds[0] == folds[1] and folds[2] == folds[3]
    assert real.dialogue_of("smilechat-26698-6") == "smilechat-26698" and real.dialogue_of("cc-609") == "cc-609"


def test_thresholds_keep_false_alarms_under_the_target():
    rows = [{"lang": "en", "source": "counsel-chat", "label": "none"}] * 100 + [
        {"lang": "en", "source": "counsel-chat", "label": "elevated"}
    ] * 10
    p = np.concatenate([np.linspace(0.0, 0.99, 100), np.full(10, 0.95)])
    lexicon = np.zeros(110, bool)
    t, sure = real.choose_thresholds(rows, lexicon, p)
    flagged_none = (p[:100] >= t).sum()
    assert flagged_none <= 4 and (p[:100] >= t - 0.01).sum() > 4  # the lowest threshold that keeps to 4%
    assert (p[:100] >= sure).sum() <= 1 and sure >= t


def test_report_cells_and_intervals():
    rows = real.load_rows(TINY, [])
    verdicts = [Verdict("elevated"), Verdict("elevated"), Verdict("none"), Verdict("imminent"), Verdict("none")]
    rep = real.report(rows, verdicts)
    # one random source a language here: no separate "random" row
    assert set(rep) == {"en/counsel-chat", "zh/smilechat-first", "zh/smilechat-keyword"}
    both = rows + [{**rows[0], "id": "x-1", "lang": "zh", "source": "counsel-chat"}]
    assert "zh/random" in real.report(both, verdicts + [Verdict()])
    assert rep["en/counsel-chat"]["false_alarms"]["k"] == 1 and rep["en/counsel-chat"]["recall"]["k"] == 1
    assert rep["zh/smilechat-first"]["imminent_graded_imminent"] == {
        "k": 1,
        "n": 1,
        "rate": 1.0,
        "low": real.wilson(1, 1)[0],
        "high": 1.0,
    }
    assert rep["zh/smilechat-keyword"]["recall"]["k"] == 0
    assert any("none in set" in line for line in real.table(rep))


def test_fit_logistic_separates_and_balances():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(1, 0.3, (5, 3)), rng.normal(-1, 0.3, (95, 3))])
    y = np.array([1] * 5 + [0] * 95)
    w, b = fit_logistic(X, y, l2=0.1)
    p = 1 / (1 + np.exp(-(X @ w + b)))
    assert p[:5].min() > 0.5 > p[5:].max()


def test_linear_classifier_round_trips(tmp_path):
    enc = lambda texts: np.array([[1.0, 0.0] if "die" in t else [0.0, 1.0] for t in texts])  # noqa: E731
    clf = LinearRiskClassifier(np.array([3.0, -3.0]), 0.0, 0.6, 0.9, enc)
    clf.save(tmp_path / "c.npz", {"data": "test"})
    again = LinearRiskClassifier.load(tmp_path / "c.npz", enc)
    assert (again.threshold, again.sure, again.meta["data"]) == (0.6, 0.9, "test")
    assert again("I want to die") and not again("a nice day")
    (tmp_path / "bad.npz").write_bytes(b"nope")
    with pytest.raises(ValueError, match="not a linear safety classifier"):
        LinearRiskClassifier.load(tmp_path / "bad.npz")
    clf.save(tmp_path / "other.npz", {"features": "another-encoder"})
    with pytest.raises(ValueError, match="trained on 'another-encoder' features.*train_safety_classifier"):
        LinearRiskClassifier.load(tmp_path / "other.npz", enc)


def test_shipped_weights_load_without_training():
    clf = shipped()
    assert clf.weights.shape == (512,) and 0.3 <= clf.threshold <= clf.sure < 1.0
    assert clf.meta["data"] == "dev_labelled.jsonl"
