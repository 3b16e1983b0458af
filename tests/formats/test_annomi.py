"""AnnoMI: one dialogue per transcript in utterance_id order, therapist behaviours as strategy keys,
every annotator's row kept on its utterance's turn."""

from __future__ import annotations

from warmline.formats import convert, detect, read, read_dialogues

from ..conftest import FORMATS

A = FORMATS / "annomi"


def test_detected_by_header():
    assert detect(A / "AnnoMI-simple.csv") == "annomi" and detect(A / "AnnoMI-full.csv") == "annomi"
    assert detect(FORMATS / "counselchat.csv") == "counselchat"


def test_simple_file():
    sam, lecture = read_dialogues(A / "AnnoMI-simple.csv")
    assert (sam.id, sam.lang, sam.labels, sam.meta["mi_quality"]) == (
        "annomi-7",
        "en",
        {"topic": "smoking cessation"},
        "high",
    )
    assert sam.meta["video_title"] == 'Demo: "Sam" and smoking' and lecture.meta["mi_quality"] == "low"
    # the file lists utterance 3 before 2: turns follow utterance_id
    assert [t.meta["utterance_id"] for t in sam.turns] == ["0", "1", "2", "3", "4", "5"]
    assert [t.role for t in sam.turns] == ["counselor", "client", "counselor", "client", "counselor", "counselor"]
    assert [t.strategy for t in sam.turns] == [
        ["question"],
        None,
        ["reflection_of_feelings"],
        None,
        ["information"],
        ["others"],
    ]
    assert sam.turns[1].meta["client_talk_type"] == "change" and lecture.turns[1].meta["client_talk_type"] == "sustain"
    assert sam.flags == ["consecutive_role@5"]


def test_full_file_keeps_every_annotator_on_one_turn():
    sam, lecture = read_dialogues(A / "AnnoMI-full.csv")
    assert len(sam.turns) == 6  # 8 rows: utterances 2 and 4 have two annotators each
    reflection = sam.turns[2]
    assert [a["annotator_id"] for a in reflection.meta["annotations"]] == ["2", "5"]
    assert [a["reflection_subtype"] for a in reflection.meta["annotations"]] == ["complex", "simple"]
    assert reflection.strategy == ["reflection_of_feelings", "restatement"]  # complex and simple reflections
    assert sam.turns[4].strategy == ["information", "providing_suggestions"]  # information, then advice
    assert lecture.turns[0].strategy == ["providing_suggestions"]
    assert sam.turns[1].meta["annotations"][0]["client_talk_type"] == "change"


def test_bad_rows_are_quarantined_and_their_dialogue_flagged(tmp_path):
    lines = (A / "AnnoMI-simple.csv").read_text().splitlines()
    lines[3] = lines[3].replace(",3,client,", ",three,client,")
    lines[7] = lines[7].replace(",therapist,", ",narrator,")
    src = tmp_path / "AnnoMI-simple.csv"
    src.write_text("\n".join(lines) + "\n")
    items = list(read(src))
    bad = [i for i in items if not hasattr(i, "turns")]
    assert [(b.line, b.reason.split(",")[0]) for b in bad] == [
        (4, "utterance_id must be an integer"),
        (8, "interlocutor must be therapist or client"),
    ]
    sam, lecture = [i for i in items if hasattr(i, "turns")]
    assert len(sam.turns) == 5 and "quarantined_rows:1" in sam.flags and lecture.flags == ["quarantined_rows:1"]
    s = convert(src, tmp_path / "out.jsonl", progress=False)
    assert (s.read, s.written, s.quarantined) == (4, 2, 2)


def test_not_annomi_says_which_columns_are_missing(tmp_path):
    src = tmp_path / "x.csv"
    src.write_text("transcript_id,utterance_text\n1,hi\n")
    (bad,) = read(src, "annomi")
    assert "missing column(s) interlocutor, utterance_id" in bad.reason
