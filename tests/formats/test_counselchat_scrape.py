"""The older Counsel-Chat scrape (counselchat-data.csv) keeps the site's HTML: it becomes plain text and
the dialogue is flagged."""

from __future__ import annotations

from warmline.formats import convert, detect, read_dialogues
from warmline.formats.markup import html_to_text

from ..conftest import FORMATS as F, SAMPLES


def test_markup_becomes_plain_text_and_the_dialogue_is_flagged(tmp_path):
    src = F / "counselchat-data.csv"
    assert detect(src) == "counselchat"
    a, b, c = read_dialogues(src)
    assert a.turns[1].text == (
        "What you are describing is something psychologists have named emotional reasoning.\n"
        "Try to stay calm & listen to both of them.\nIt may help to set a time to talk."
    )
    assert a.turns[0].text.endswith("they've had minor differences.")
    assert a.flags == ["html_to_text:questionText,answerText"] and b.flags == ["html_to_text:answerText"]
    assert b.turns[1].text.endswith("a few minutes <10 usually>?")  # decoded entities, not tags
    assert not c.flags and "<3 my dog" in c.turns[0].text  # no markup: left as it is
    assert a.labels["topic"] == "Family Conflict" and a.meta["therapistName"].startswith("Robin")
    assert all("<p>" not in t.text and "&nbsp;" not in t.text for d in (a, b, c) for t in d.turns)
    s = convert(src, tmp_path / "out.jsonl", progress=False)
    assert (s.read, s.written, s.flagged, s.quarantined) == (3, 3, 2, 0)


def test_html_to_text_rules():
    assert html_to_text("<p>One</p>\n<p>Two&nbsp;&amp; three<br/>four</p>") == "One\nTwo & three\nfour"
    assert html_to_text("<ul><li>a</li><li><b>b</b></li></ul>") == "a\nb"
    assert html_to_text("fish & chips <3") == "fish & chips <3"


def test_the_current_dataset_is_not_touched():
    assert not [d.flags for d in read_dialogues(SAMPLES / "counsel-chat" / "sample.csv") if d.flags]
