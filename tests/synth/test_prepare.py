"""Before the LLM: templates, cleaning in order, sentence removal and truncation."""

from __future__ import annotations

import pytest

from warmline.synth.clean import CleaningConfig, clean_pair, clean_text
from warmline.synth.prompts import METHODS, RULES, draw_topic, load_template, parse_template, topics


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_bundled_templates_load_and_render(method, lang):
    t = load_template(method, lang)
    assert t.name == method and t.version and t.lang == lang and t.client and t.counselor
    out = t.render("Q{x}", "A}", "TOPIC")
    if RULES[method].needs_source:
        assert "Q{x}" in out and "A}" in out and "{question}" not in out
    if method == "standardT":
        assert "TOPIC" in out
    if method == "soulchat":
        assert t.marker and t.marker in out


def test_user_template_needs_roles(tmp_path):
    f = tmp_path / "mine.txt"
    f.write_text("# version: 7\n# roles: A | B\nRewrite: {question} / {answer}\n", encoding="utf-8")
    t = load_template("smile", "en", str(f))
    assert (t.version, t.client, t.counselor) == ("7", "A", "B") and t.render("q", "a") == "Rewrite: q / a\n"
    f.write_text("no header {question}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="roles"):
        parse_template(f.read_text(), str(f))


def test_topics_are_drawn_reproducibly_from_the_list():
    a = [draw_topic(f"k{i}", "zh") for i in range(200)]
    assert a == [draw_topic(f"k{i}", "zh") for i in range(200)]
    assert set(a) == set(topics("zh"))  # uniform over 12 topics: all appear in 200 draws
    assert draw_topic("k1", "en") in topics("en")


def test_replacements_apply_in_order():
    cfg = CleaningConfig.load()
    assert clean_text("楼主你好，楼主说的情况答主也遇到过", cfg) == "你好，你说的情况人也遇到过"
    assert "你你" not in clean_text("楼主你真的很努力", cfg)
    reversed_cfg = CleaningConfig([("楼主", "你"), ("楼主你", "你")])
    assert clean_text("楼主你真的很努力", reversed_cfg) == "你你真的很努力"  # why order matters


def test_leading_greeting_and_hug_sentences_are_removed():
    cfg = CleaningConfig.load()
    assert clean_text("嗨，我看到你的问题了。抱抱你！慢慢来。", cfg) == "我看到你的问题了。慢慢来。"


def test_truncation_is_reported_and_cuts_at_a_sentence_end():
    cfg = CleaningConfig(max_chars=30)
    q, a, cut = clean_pair("问题" * 5, "第一句话很长很长。第二句话也很长很长。第三句话。", cfg)
    assert cut and len(q) + len(a) <= 30 and a.endswith("。")
    assert clean_pair("短", "短", cfg)[2] is False


def test_bad_cleaning_config_is_refused(tmp_path):
    f = tmp_path / "c.yaml"
    f.write_text("replacements: [[a]]\n")
    with pytest.raises(ValueError, match=r"replacements\[0\]"):
        CleaningConfig.load(f)
    f.write_text("replacement: []\n")
    with pytest.raises(ValueError, match="unknown cleaning keys"):
        CleaningConfig.load(f)
