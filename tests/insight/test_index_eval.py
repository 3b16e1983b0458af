"""The multi-view case index (embeddings, BM25, topic view, rank fusion), its leave-one-out evaluation,
old indexes read back, and the label classifier's meaning features and class weights."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from warmline.cli.main import app
from warmline.conversation import Dialogue, Turn, write_jsonl
from warmline.insight import classify as C
from warmline.insight.index import CaseIndex, build, rrf, view_text
from warmline.insight.index_eval import evaluate, query_text, topic_of

pytest.importorskip("bm25s", reason="the lexical view needs bm25s (the eval extra)")

# three sessions per topic, written for these tests: the client's words, and a third-person background
CASES = {
    "Academic Pressure": [
        (
            ["My finals are next week and I can't study.", "Every time I open the textbook I panic."],
            "A student panics before final exams.",
        ),
        (
            ["I failed my math exam again.", "My parents expect top grades from me."],
            "A pupil under pressure to get good grades.",
        ),
        (
            ["The thesis deadline is crushing me.", "I stay up all night in the library."],
            "A graduate student overwhelmed by a thesis deadline.",
        ),
    ],
    "Partner Relationship Issues": [
        (
            ["My boyfriend broke up with me by text.", "I keep checking his profile every hour."],
            "A young woman grieving a recent breakup.",
        ),
        (
            ["My wife and I fight about money every night.", "She says I never listen."],
            "A husband in constant conflict with his wife.",
        ),
        (
            ["I think my girlfriend is cheating on me.", "She hides her phone when I come in."],
            "A man who suspects his partner of infidelity.",
        ),
    ],
    "Sleep Problems": [
        (
            ["I can't fall asleep before 4 am.", "Then I am exhausted all day at work."],
            "An adult with chronic insomnia.",
        ),
        (
            ["I wake up at 3 every night and can't get back to sleep.", "My mind keeps racing in bed."],
            "A client who wakes in the night and lies awake.",
        ),
        (
            ["Nightmares wake me up almost every night.", "I am afraid to go to bed now."],
            "A client whose nightmares disturb his sleep.",
        ),
    ],
}


def sessions(lang="en"):
    out = []
    for topic, cases in CASES.items():
        for j, (client, background) in enumerate(cases):
            turns = []
            for text in client:
                turns += [Turn("client", text), Turn("counselor", "Tell me more about that.")]
            out.append(
                Dialogue(
                    f"{topic[:5]}-{j}",
                    lang,
                    turns,
                    labels={
                        "topic": topic,
                        "background": background,
                        "summary": f"The counselor listened to: {background}",
                    },
                )
            )
    return out


def test_views_and_rank_fusion(tmp_path):
    d = sessions()[0]
    assert view_text(d, "client").startswith("My finals") and view_text(d, "guide") == ""
    assert rrf({"a": [1, 2], "b": [2, 3]}, k=60) == pytest.approx({1: 1 / 61, 2: 1 / 62 + 1 / 61, 3: 1 / 62})
    assert rrf({"a": [1], "topic": [2]}, weights={"topic": 2.0})[2] == pytest.approx(2 / 61)
    meta = build(sessions(), tmp_path / "idx")
    assert meta["views"] == {"client": 9, "background": 9, "summary": 9} and meta["lexical"] and meta["topic_view"]
    idx = CaseIndex(tmp_path / "idx")
    hits = idx.search("I cannot sleep at night, I lie awake in bed", k=3)
    assert topic_of(hits[0].session) == "Sleep Problems"
    assert sum(topic_of(h.session) == "Sleep Problems" for h in hits) >= 2
    assert set(hits[0].ranks) <= {"client", "background", "summary", "bm25", "topic"} and hits[0].ranks
    left_out = idx.search(query_text(sessions()[3]), k=8, exclude="Partn-0")
    assert "Partn-0" not in {h.session["id"] for h in left_out} and len(left_out) == 8


def test_lexical_view_finds_chinese_words(tmp_path):
    zh = [
        Dialogue(
            "zh-sleep", "zh", [Turn("client", "我每天晚上都失眠，躺在床上睡不着。")], labels={"topic": "Sleep Problems"}
        ),
        Dialogue(
            "zh-exam", "zh", [Turn("client", "下周就要期末考试了，我特别焦虑。")], labels={"topic": "Academic Pressure"}
        ),
        Dialogue(
            "zh-love",
            "zh",
            [Turn("client", "男朋友和我分手了，我很难过。")],
            labels={"topic": "Partner Relationship Issues"},
        ),
    ]
    build(zh, tmp_path / "lex", views=(), lexical=True)
    idx = CaseIndex(tmp_path / "lex")
    assert list(idx.rankings("最近总是失眠")) == ["bm25"]
    assert idx.search("最近总是失眠", k=1)[0].session["id"] == "zh-sleep"
    assert idx.lexical.scores("的了吗").tolist() == [0.0, 0.0, 0.0]  # no content word: no lexical evidence


def test_format_1_index_still_reads(tmp_path):
    old = tmp_path / "old"
    old.mkdir()
    v = np.eye(3, 8, dtype=np.float32)
    np.save(old / "vectors.npy", v)
    (old / "sessions.jsonl").write_text("\n".join(json.dumps({"id": f"s{i}", "concern": "x"}) for i in range(3)))
    (old / "index.json").write_text(json.dumps({"format": 1, "embedder": "use", "sessions": 3}))
    idx = CaseIndex(old, embedder=lambda texts: v[[1]])
    assert list(idx.views) == ["concern"] and idx.search("anything", k=1)[0].session["id"] == "s1"
    (old / "index.json").write_text(json.dumps({"format": 99}))
    with pytest.raises(ValueError, match="newer warmline"):
        CaseIndex(old)


def test_eval_leaves_the_query_out_and_beats_chance():
    result = evaluate(sessions(), n_turns=1, k=2, own_k=3)
    (r,) = result["languages"]
    assert (r["sessions"], r["queries"], r["own_queries"]) == (9, 9, 9)
    assert r["chance"] == pytest.approx(2 / 8)  # two other sessions of each topic among eight
    assert r["same_topic"] > r["chance"] and 0 <= r["own_in_top"] <= 1 and r["ms_per_query"] > 0
    assert result["signature"]["leave_one_out"] and result["signature"]["query"] == "first 1 client turns"
    lo, hi = r["same_topic_ci"]
    assert lo <= r["same_topic"] <= hi and sum(r["weights"].values()) >= 1
    with pytest.raises(ValueError, match="need more than"):
        evaluate(sessions()[:2], k=5)


def test_index_eval_cli(tmp_path):
    data = tmp_path / "s.jsonl"
    write_jsonl(sessions(), data)
    r = CliRunner().invoke(app, ["index", "eval", str(data), "--k", "2", "--own-k", "3", "--json"])
    assert r.exit_code == 0, r.output
    got = json.loads(r.output[r.output.index("{") :])
    assert got["languages"][0]["queries"] == 9 and got["signature"]["k"] == 2
    r = CliRunner().invoke(app, ["index", "eval", str(data), "--k", "2", "--views", "background", "--no-lexical"])
    assert r.exit_code == 0 and "views background;" in r.output and "leave-one-out" in r.output
    r = CliRunner().invoke(app, ["index", str(data), "--output", str(tmp_path / "i"), "--views", "colour"])
    assert r.exit_code != 0 and "views must be some of" in r.output


def test_classifier_reads_the_turn_before_and_weights_rare_labels(tmp_path):
    # the same counselor words answer different client turns: only the turn before tells the labels apart
    texts = ["I see."] * 40
    contexts = ["I feel so sad and alone tonight."] * 20 + ["What should I do about my exam?"] * 20
    labels = ["reflection"] * 20 + ["suggestion"] * 20
    f = C.Features(ngrams=1.0, meaning=1.0, context=2.0, class_weight=1.0, l2=1e-5)
    clf = C.LabelClassifier.train("strategy", texts, ["en"] * 40, labels, contexts=contexts, features=f)
    assert clf.predict(["I see.", "I see."], ["en", "en"], ["I am so sad and lonely.", "How do I pass the exam?"]) == [
        "reflection",
        "suggestion",
    ]
    blind = C.LabelClassifier.train(
        "strategy", texts, ["en"] * 40, labels, contexts=contexts, features=C.Features(context=0)
    )
    assert len(set(blind.predict(["I see."] * 2, ["en"] * 2, contexts[::20]))) == 1
    clf.save(tmp_path / "m")
    again = C.LabelClassifier.load(tmp_path / "m")
    assert again.features == f and np.allclose(again.W, clf.W)
    w = C.class_weights(np.array([0] * 9 + [1]), 2, 1.0)
    assert w[-1] == pytest.approx(9 * w[0]) and w.mean() == pytest.approx(1.0)


def test_score_reports_macro_f1_and_the_majority_baseline():
    rep = C.score("strategy", ["q", "q", "q", "r"], ["q", "q", "r", "r"], "q")
    assert rep.accuracy == 0.75 and rep.majority_accuracy == 0.75
    assert rep.macro_f1 == pytest.approx((0.8 + 2 / 3) / 2)  # q: P 1, R 2/3; r: P 1/2, R 1
    assert rep.majority_macro_f1 == pytest.approx((2 * 0.75 / 1.75) / 2)


def test_quickstart_line_on_the_bundled_sessions():
    from warmline.quickstart import insight_sessions, retrieval_line

    ds = insight_sessions()
    assert len(ds) == 24 and all(topic_of(d) for d in ds)
    lines = []
    result = retrieval_line(lines)
    assert [r["lang"] for r in result] == ["en", "zh"] and all(r["same_topic"] > r["chance"] for r in result)
    assert len(lines) == 2 and "same topic in the top 2" in lines[0]


def test_weights_are_chosen_by_cross_validation_and_saved(tmp_path, monkeypatch):
    from warmline.insight import index_tune as T

    assert rrf({"a": [1], "bm25": [2]}, weights={"bm25": 0.0}) == {1: pytest.approx(1 / 61)}  # weight 0: off
    ds = sessions()
    meta = build(ds, tmp_path / "few")
    assert "weights" not in meta and CaseIndex(tmp_path / "few").weights() == {"topic": 5.0}  # too few to choose on
    monkeypatch.setattr(T, "MIN_SESSIONS", 5)
    meta = build(ds, tmp_path / "idx")
    assert meta["weights"] in [dict(w) for w in T.GRID] and meta["cv_folds"] == 5
    idx = CaseIndex(tmp_path / "idx")
    assert idx.weights() == idx.weights("en") == meta["weights"] and "weights_by_lang" not in meta  # one language
    # the choice is the best of the grid on the cross-fitted rankings, and the dropped rows are never results
    topics = [topic_of(d) for d in ds]
    r = T.Rankings(idx, [T.Query(i, query_text(d, 1), topics[i]) for i, d in enumerate(ds)])
    drop = frozenset({0, 4})
    js = [j for j in range(len(ds)) if j not in drop]
    best, got = T.choose_weights(r, js, topics, k=2, folds=3, drop=drop)
    assert best in [dict(w) for w in T.GRID] and 0 <= got <= 1
    for j in js:
        lists = r.of(j, drop | {j})
        assert j not in {i for rows in lists.values() for i in rows}
        assert not drop & set(r.of(j, drop, drop)["topic"]) and not drop & set(T.top_k(r.of(j, drop, drop), best, 8))


def test_topic_view_is_fitted_without_the_unseen_sessions(tmp_path):
    from warmline.insight.index import TopicView

    build(sessions(), tmp_path / "idx", tune=False)
    tv = CaseIndex(tmp_path / "idx").topic_view
    unseen = frozenset({0, 1, 5})
    blind = TopicView(tv.vectors, np.array([h and i not in unseen for i, h in enumerate(tv.has)]), tv.topics, tv.l2)
    W, b = tv.fit(unseen)
    assert np.allclose(W, blind.fit()[0]) and np.allclose(b, blind.fit()[1])
    assert not np.allclose(W, tv.fit()[0])  # it did learn something from them when they were seen


def test_bootstrap_interval():
    from warmline.insight.index_tune import folds_of, interval

    assert interval([0.4] * 30) == pytest.approx((0.4, 0.4))
    lo, hi = interval([0.0, 1.0] * 50)
    assert 0.35 < lo < 0.5 < hi < 0.65
    f = folds_of(23, 10)
    assert sorted(np.bincount(f).tolist()) == [2] * 7 + [3] * 3


def test_one_index_for_both_languages_answers_in_the_query_language(tmp_path, monkeypatch):
    from warmline.insight import index_tune as T

    en = sessions("en")
    zh = [
        Dialogue(
            f"zh-{d.id}", "zh", [Turn("client", "我" + t.text) for t in d.turns if t.role == "client"], labels=d.labels
        )
        for d in en
    ]
    build(en + zh, tmp_path / "idx", tune=False)
    idx = CaseIndex(tmp_path / "idx")
    assert idx.other_languages("zh") == frozenset(range(9)) and idx.other_languages("fr") == frozenset()
    fits, fit = [], idx.topic_view.fit
    idx.topic_view.fit = lambda unseen=frozenset(): fits.append(unseen) or fit(unseen)
    hits = idx.search("I cannot sleep at night", k=6, lang="zh")
    assert len(hits) == 6 and {h.session["lang"] for h in hits} == {"zh"}
    assert fits == [frozenset()]  # the topic view answering in Chinese still learned from the English sessions
    idx.search("I cannot sleep at night", k=6, exclude="Sleep-0", lang="zh")
    assert fits[-1] == frozenset({6})  # ... but never from a session left out
    assert {h.session["lang"] for h in idx.search("I cannot sleep at night", k=12)} == {"en", "zh"}
    r = CliRunner().invoke(app, ["index", "query", str(tmp_path / "idx"), "I cannot sleep", "--k", "3", "--lang", "zh"])
    assert r.exit_code == 0 and r.output.count("zh-") == 3, r.output
    # the Chinese copy of a held-out English session is held out with it (a translation teaches its label)
    r = T.Rankings(idx, [T.Query(0, query_text(en[0], 1), "Academic Pressure", idx.other_languages("en"))])
    assert 9 in r.with_twins(frozenset({0})) and not {0, 9} & set(r.with_twins(frozenset({3})) - {3, 12})
    monkeypatch.setattr(T, "MIN_SESSIONS", 5)
    meta = build(en + zh, tmp_path / "tuned")
    assert set(meta["weights_by_lang"]) == {"en", "zh"}  # each language's weights chosen on its own sessions
    tuned = CaseIndex(tmp_path / "tuned")
    assert tuned.weights("zh") == meta["weights_by_lang"]["zh"] and tuned.weights("fr") == meta["weights"]
    monkeypatch.undo()
    result = evaluate(en + zh, n_turns=1, k=2, own_k=3, together=True)
    assert [x["lang"] for x in result["languages"]] == ["en", "zh"] and "one for all" in result["signature"]["index"]
    assert all(x["sessions"] == 9 and x["chance"] == pytest.approx(2 / 8) for x in result["languages"])
