"""The project-written safety sets (`data/safety-written/`): their manifest agrees with the files, the loader
refuses a missing, unlisted or changed file saying what to do, `safety train` says what it needs without them,
and none of them is packaged again."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from warmline.cli.main import app
from warmline.safety import written
from warmline.safety.classifier import TRAINING_SETS, labelled
from warmline.safety.quality import HELD_OUT, held_out

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "warmline"


@pytest.fixture
def copy(tmp_path):
    """A copy of the written sets' folder, to break."""
    return Path(shutil.copytree(written.repo_dir(), tmp_path / "sets"))


def test_the_manifest_lists_every_set_with_its_counts_and_hash():
    assert written.problems() == []
    entries = written.manifest()["sets"]
    assert len(entries) == len({e["file"] for e in entries}) == len(list(written.repo_dir().glob("*.jsonl")))
    for e in entries:
        assert e["rows"] == sum(e["risk"].values()) > 0 and e["lang"] in ("en", "zh")
        assert e["round"] and e["holds"] and e["licence"] and e["file"] == f"{e['set']}_{e['lang']}.jsonl"


def test_the_manifest_roles_are_the_sets_the_code_trains_and_measures_on():
    trained = set(written.names("kernel-training")) | set(written.names("retired-held-out"))
    assert trained == set(TRAINING_SETS)
    assert set(written.names("current-held-out")) == {f"{s}_{lang}.jsonl" for s in HELD_OUT for lang in ("en", "zh")}
    # held-out rows never train
    assert not set(written.names("current-held-out")) & set(TRAINING_SETS)
    assert len(held_out("en")) == sum(written.entry(f"{s}_en.jsonl")["rows"] for s in HELD_OUT)


def test_the_loader_reads_a_folder_given_to_it(copy):
    rows = labelled("train5_zh.jsonl", copy)
    assert rows == written.load("train5_zh.jsonl") and len(rows) == written.entry("train5_zh.jsonl")["rows"]


def test_a_changed_set_stops_the_loader_with_what_to_do(copy):
    f = copy / "heldout24_en.jsonl"
    f.write_text(f.read_text(encoding="utf-8") + json.dumps({"text": "new", "risk": "none"}) + "\n", encoding="utf-8")
    with pytest.raises(written.WrittenSetsError, match="differs from the manifest") as e:
        written.load("heldout24_en.jsonl", copy)
    assert "git checkout -- data/safety-written/heldout24_en.jsonl" in str(e.value)
    assert "scripts/written_manifest.py" in str(e.value)
    assert any(p.startswith("heldout24_en.jsonl: rows is") for p in written.problems(copy))


def test_a_missing_or_unlisted_set_or_manifest_says_what_to_do(copy, tmp_path):
    (copy / "train4_en.jsonl").unlink()
    with pytest.raises(written.WrittenSetsError, match="train4_en.jsonl is missing"):
        written.load("train4_en.jsonl", copy)
    (copy / "train9_en.jsonl").write_text(json.dumps({"text": "x", "risk": "none"}) + "\n", encoding="utf-8")
    with pytest.raises(written.WrittenSetsError, match="not listed"):
        written.load("train9_en.jsonl", copy)
    assert written.problems(copy) == [
        "train4_en.jsonl: listed in the manifest but missing",
        "train9_en.jsonl: not listed in the manifest",
    ]
    with pytest.raises(written.WrittenSetsError, match="--written-sets DIR") as e:
        written.load("train5_en.jsonl", tmp_path / "nowhere")
    assert "--only-yours" in str(e.value)
    (copy / written.MANIFEST).write_text("{not json", encoding="utf-8")
    with pytest.raises(written.WrittenSetsError, match="not a readable manifest"):
        written.load("train5_en.jsonl", copy)


def test_a_malformed_line_is_named_with_file_and_line(tmp_path):
    f = tmp_path / "x_en.jsonl"
    f.write_text(json.dumps({"text": "fine", "risk": "none"}) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"x_en.jsonl:2"):
        written.counts(f)


def test_safety_train_without_the_written_sets_says_what_it_needs(tmp_path):
    f = tmp_path / "mine.jsonl"
    f.write_text(json.dumps({"text": "hello", "risk": "none"}) + "\n", encoding="utf-8")
    r = CliRunner().invoke(
        app, ["safety", "train", str(f), "--out", str(tmp_path / "x.npz"), "--written-sets", str(tmp_path / "none")]
    )
    assert r.exit_code != 0 and "--written-sets DIR" in r.output and "--only-yours" in r.output
    assert not (tmp_path / "x.npz").exists()


def test_without_the_written_sets_safety_train_compares_with_the_shipped_screen(tmp_path):
    from warmline.safety.evaluation import reference_screen
    from warmline.safety.linear import shipped

    report: dict = {}
    screen = reference_screen(tmp_path / "none", 0.4, lambda texts: None, report)
    assert report["reference"].startswith("shipped") and screen.classifier.threshold == shipped().threshold
    assert screen.classifier.weights is shipped().weights and screen.classifier is not shipped()


def _packaged() -> list[Path]:
    """The files the wheel takes from the package folder: pyproject's package-data patterns, expanded."""
    tomllib = pytest.importorskip("tomllib")
    conf = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = conf["tool"]["setuptools"]["package-data"]["warmline"]
    return sorted({p for pattern in patterns for p in PACKAGE.glob(pattern) if p.is_file()})


def test_no_project_written_set_is_packaged_again():
    packaged = _packaged()
    assert any(p.name == "real_classifier.npz" for p in packaged)  # the shipped weights still ship
    entries = written.manifest()["sets"]
    names = {e["file"] for e in entries}
    hashes = {e["sha256"] for e in entries}
    again = [
        str(p.relative_to(PACKAGE))
        for p in packaged
        if p.name in names or hashlib.sha256(p.read_bytes()).hexdigest() in hashes
    ]
    # a labelled message set under any name: a JSONL file whose rows carry a crisis label
    again += [str(p.relative_to(PACKAGE)) for p in packaged if p.suffix == ".jsonl" and _is_labelled(p)]
    assert sorted(set(again)) == [], (
        f"project-written sets inside the package (move them to data/safety-written/): {again}"
    )


def _is_labelled(path: Path) -> bool:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            return isinstance(row, dict) and row.get("risk") in written.LABELS
    return False


def test_the_labelled_set_check_tells_a_set_from_other_jsonl(tmp_path):
    assert _is_labelled(written.repo_dir() / "train_en.jsonl")
    assert not any(_is_labelled(p) for p in (PACKAGE / "data" / "examples").glob("*.jsonl"))


def test_the_quickstart_skips_what_needs_the_written_sets_in_an_installed_wheel(monkeypatch, tmp_path):
    from warmline import quickstart
    from warmline.safety import Screener, real

    def no_real_data(*args, **kwargs):
        raise FileNotFoundError("no data/safety-real/")

    monkeypatch.setattr(written, "repo_dir", lambda: tmp_path / "not-in-a-wheel")
    monkeypatch.setattr(real, "measure", no_real_data)
    st, said = quickstart.Stage("chat"), []
    quality, measured = quickstart._screen_quality(st, said.append, Screener(classifier=False))
    assert quality == {} and measured is None
    assert sum("held-out set" in line and "skipped" in line and "--written-sets" in line for line in said) == 2
    (tmp_path / "data").mkdir()
    rate = quickstart._flag_rates(tmp_path, st, said.append, Screener(classifier=False))
    assert rate["retrained"] is None and rate["messages"] == 0 and "retrained" in said[-1] and "skipped" in said[-1]


def test_a_set_added_but_not_described_says_to_describe_it(copy):
    # scripts/written_manifest.py lists a new file with role "TODO": restoring the manifest would lose the entry
    data = json.loads((copy / written.MANIFEST).read_text(encoding="utf-8"))
    data["sets"][0]["role"] = "TODO"
    (copy / written.MANIFEST).write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(written.WrittenSetsError, match="listed but not described") as e:
        written.manifest(copy)
    assert "git checkout" not in str(e.value) and data["sets"][0]["file"] in str(e.value)
