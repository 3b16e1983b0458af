"""`warmline safety train`: a safety classifier trained with an operator's own labelled messages, saved,
loaded and used by every path that screens."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from warmline.cli.main import app
from warmline.safety import Screener
from warmline.safety.classifier import FEATURES, RiskClassifier
from warmline.safety.custom import cross_validate, fold_of

runner = CliRunner()

# a service's own labelled messages: ordinary thanks and plans from the middle of a conversation (which the
# bundled classifier tends to flag) and indirect statements of risk
ORDINARY = [
    "Thank you, that really helps. I'll try talking to my sister this weekend.",
    "Thanks for listening, I think I'll start with the breathing exercise tonight.",
    "I appreciate it. I'm going to write down what worries me before bed.",
    "That makes sense, I'll tell my manager how I feel on Monday.",
    "Thank you so much, I feel a bit lighter already.",
    "OK, I will try to go for a walk every morning and see how it goes.",
    "谢谢你，我会试着和妈妈好好谈一谈。",
    "谢谢你的建议，我今晚就开始写情绪日记。",
    "我明白了，下周我会去找辅导员聊聊。",
    "谢谢你听我说这些，我感觉好多了。",
    "好的，我会试着每天早上出去散散步。",
    "谢谢，我打算周末约朋友出去吃饭。",
]
AT_RISK = [
    "Everyone would be better off if I just wasn't here anymore.",
    "I've started giving my things away, I won't need them where I'm going.",
    "I keep thinking about ending it all, every single night.",
    "Sometimes I cut my arms so I can feel something.",
    "I wrote letters to my family so they'll understand afterwards.",
    "My husband hits me when he's angry and I'm scared to go home.",
    "大家没有我会过得更好。",
    "我已经把东西都送人了，以后用不上了。",
    "我每天晚上都在想怎么结束这一切。",
    "我会用刀划自己的手臂，这样才有感觉。",
    "我给家人写好了信，他们以后会明白的。",
    "他一喝酒就打我，我不敢回家。",
]


def labelled_file(tmp_path, extra: str = ""):
    f = tmp_path / "mine.jsonl"
    rows = [{"text": t, "risk": "none"} for t in ORDINARY] + [{"text": t, "risk": "elevated"} for t in AT_RISK]
    f.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n" + extra, encoding="utf-8")
    return f


def test_a_saved_classifier_loads_and_scores_the_same(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(6, 4)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)

    def encoder(texts):
        return x[[int(t) for t in texts]]

    clf = RiskClassifier.train([str(i) for i in range(6)], [0, 1, 0, 1, 0, 1], threshold=0.3, encoder=encoder)
    clf.save(tmp_path / "c.npz", {"messages": 6})
    back = RiskClassifier.load(tmp_path / "c.npz", encoder=encoder)
    assert back.threshold == pytest.approx(0.3) and back.meta == {"features": FEATURES, "messages": 6}
    assert np.allclose(back.probabilities([str(i) for i in range(6)]), clf.probabilities([str(i) for i in range(6)]))
    # another embedding's classifier, and a file that is no classifier, are refused with what to do
    np.savez(
        tmp_path / "other.npz",
        support=clf.support,
        alpha=clf.alpha,
        bias=clf.bias,
        gamma=clf.gamma,
        threshold=clf.threshold,
        meta=json.dumps({"features": "some-other-encoder"}),
    )
    with pytest.raises(ValueError, match="some-other-encoder.*train it again"):
        RiskClassifier.load(tmp_path / "other.npz")
    (tmp_path / "junk.npz").write_text("not numpy")
    with pytest.raises(ValueError, match="junk.npz: not a safety classifier"):
        RiskClassifier.load(tmp_path / "junk.npz")


def test_cross_validation_screens_each_message_with_a_classifier_trained_without_it(monkeypatch):
    import warmline.safety.custom as custom

    rows = [{"text": t, "risk": "none"} for t in ORDINARY] + [{"text": t, "risk": "elevated"} for t in AT_RISK]
    trained_on = []
    real_fit = custom.fit

    def recording_fit(train, *args, **kwargs):
        trained_on.append({r["text"] for r in train})
        return real_fit(train, *args, **kwargs)

    monkeypatch.setattr(custom, "fit", recording_fit)
    seen = []
    verdicts = cross_validate(rows, folds=3, with_bundled=False, on_fold=seen.append)
    assert seen == [0, 1, 2] and len(trained_on) == 3 and len(verdicts) == len(rows)
    for k, train in enumerate(trained_on):
        fold = {r["text"] for r in rows if fold_of(r, 3) == k}
        assert fold and not fold & train and train | fold == {r["text"] for r in rows}
    # messages of one conversation (a `group`) are never on both sides of a fold
    grouped = [{**r, "group": f"conversation {i % 4}"} for i, r in enumerate(rows)]
    for g in range(4):
        assert len({fold_of(r, 3) for r in grouped if r["group"] == f"conversation {g}"}) == 1
    # the lexicon still reads every message: an explicit statement is flagged whatever the classifier says
    assert (
        cross_validate([{"text": "I want to kill myself tonight", "risk": "imminent"}] + rows, 3, False)[0].risk
        == "imminent"
    )
    with pytest.raises(ValueError, match="at least 2 folds"):
        cross_validate(rows, folds=1)


def test_safety_train_reports_writes_and_every_screen_uses_the_classifier(tmp_path):
    f = labelled_file(tmp_path, "{not json\n")
    out = tmp_path / "mine.npz"
    r = runner.invoke(app, ["safety", "train", str(f), "--out", str(out), "--only-yours", "--folds", "3", "--json"])
    assert r.exit_code == 0, r.output
    report = json.loads(r.stdout)
    assert report["messages"] == 24 and report["at_risk"] == 12 and report["quarantined"] == 1
    bad = json.loads((tmp_path / "mine.quarantine.jsonl").read_text(encoding="utf-8"))
    assert bad["file"] == str(f) and bad["line"] == 25 and bad["raw"] == "{not json"
    assert set(report["groups"]) == {"all", "en", "zh"}
    for g in report["groups"].values():
        for s in g.values():
            assert s["tp"] + s["fn"] == 6 * (2 if g is report["groups"]["all"] else 1)
    clf = RiskClassifier.load(out)
    assert clf.meta["trained_on"] == "yours" and clf.meta["messages"] == 24 and len(clf.alpha) == 24
    # a plan the bundled classifier flags; trained on these messages, the classifier does not, and still flags
    # the indirect statement
    walk = ORDINARY[5]
    assert Screener()(walk).risk == "elevated"
    mine = Screener(classifier=clf)
    assert mine(walk).risk == "none" and mine(AT_RISK[0]).risk == "elevated"
    r = runner.invoke(app, ["safety", "check", "--classifier-file", str(out), walk])
    assert r.exit_code == 0 and json.loads(r.stdout)["risk"] == "none"
    r = runner.invoke(app, ["safety", "check", "--classifier-file", str(out), AT_RISK[0]])
    assert r.exit_code == 0 and json.loads(r.stdout)["risk"] == "elevated"
    r = runner.invoke(app, ["safety", "eval", str(labelled_file(tmp_path)), "--classifier-file", str(out), "--json"])
    assert json.loads(r.stdout)["screen"] == "lexicon + classifier (mine.npz)"
    r = runner.invoke(app, ["chat", "--backend", "scripted", "--classifier-file", str(out), "--once", AT_RISK[0]])
    assert r.exit_code == 0 and "988" in r.stdout


def test_safety_train_keeps_every_file_s_malformed_lines_in_one_named_quarantine(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    files = [labelled_file(d, "{not json\n") for d in (a, b)]
    q = tmp_path / "bad.jsonl"
    r = runner.invoke(
        app,
        [
            "safety",
            "train",
            *map(str, files),
            "--out",
            str(tmp_path / "x.npz"),
            "--only-yours",
            "--no-report",
            "--quarantine",
            str(q),
            "--json",
        ],
    )
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["quarantined"] == 2 and json.loads(r.stdout)["messages"] == 48
    kept = [json.loads(x) for x in q.read_text(encoding="utf-8").splitlines()]
    assert [(x["file"], x["line"]) for x in kept] == [(str(files[0]), 25), (str(files[1]), 25)]


def test_safety_train_refuses_what_it_cannot_use(tmp_path):
    f = tmp_path / "one-class.jsonl"
    f.write_text("\n".join(json.dumps({"text": t, "risk": "none"}) for t in ORDINARY) + "\n", encoding="utf-8")
    r = runner.invoke(app, ["safety", "train", str(f), "--out", str(tmp_path / "x.npz"), "--only-yours"])
    assert r.exit_code == 2 and "both at risk and not" in r.output and not (tmp_path / "x.npz").exists()
    r = runner.invoke(app, ["safety", "train", str(f), "--out", str(tmp_path / "x.pkl")])
    assert r.exit_code == 2 and "must end in .npz" in r.output
    (tmp_path / "junk.npz").write_text("not numpy")
    for args in (
        ["safety", "check", "--classifier-file", str(tmp_path / "junk.npz"), "hi"],
        ["chat", "--backend", "scripted", "--classifier-file", str(tmp_path / "junk.npz"), "--once", "hi"],
    ):
        r = runner.invoke(app, args)
        assert r.exit_code == 2 and "not a safety classifier" in r.output


def test_the_server_screens_with_a_trained_classifier(tmp_path):
    from fastapi.testclient import TestClient

    from warmline.backends.scripted import ScriptedBackend
    from warmline.serve.app import create_app
    from warmline.serve.settings import ServeSettings

    out = tmp_path / "mine.npz"
    assert (
        runner.invoke(
            app, ["safety", "train", str(labelled_file(tmp_path)), "--out", str(out), "--only-yours", "--no-report"]
        ).exit_code
        == 0
    )
    backend = ScriptedBackend(default="I'm listening.")
    with TestClient(
        create_app(
            ServeSettings(safety_classifier_file=str(out), elevated_reply=False, allowed_hosts=["testserver"]),
            backend=backend,
        )
    ) as client:

        def post(text):
            return client.post(
                "/v1/chat/completions", json={"model": "scripted", "messages": [{"role": "user", "content": text}]}
            ).json()

        assert post(AT_RISK[0])["warmline"]["crisis"] is True
        assert "crisis" not in post(ORDINARY[5])["warmline"]  # the bundled classifier would flag it
    assert len(backend.calls) == 1
    (tmp_path / "junk.npz").write_text("not numpy")
    with pytest.raises(ValueError, match="not a safety classifier"):
        create_app(ServeSettings(safety_classifier_file=str(tmp_path / "junk.npz")), backend=backend)
