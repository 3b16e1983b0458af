"""After the LLM: parsing, every rejection reason, flags, and the privacy scrub."""

from __future__ import annotations

import pytest

from warmline.conversation import Turn
from warmline.privacy import scrub
from warmline.replies import is_advice_dump
from warmline.synth.checks import FilterConfig, check, parse_turns
from warmline.synth.prompts import RULES, load_template

SMILE = load_template("smile", "zh")
SOUL = load_template("soulchat", "zh")
F = FilterConfig.load()


def dialog(n: int, client="求助者", counselor="支持者") -> str:
    return "\n".join(
        f"{client}：我第{i}次觉得很难受，说不清为什么。\n{counselor}：谢谢你告诉我第{i}次的感受，能多说一点吗？"
        for i in range(n)
    )


def reasons_for(text: str, tpl=SMILE, method="smile", lang="zh", filters=F):
    turns, reasons = parse_turns(text, tpl)
    more, flags = check(turns, RULES[method], lang, filters)
    return reasons + more, flags


def test_good_dialogue_passes():
    assert reasons_for(dialog(6)) == ([], [])


def test_soulchat_parses_only_after_the_marker():
    text = "分析：用户需要被倾听。\n支持者不应该说教。\n【对话】\n" + dialog(9, "用户", "心理咨询师")
    turns, reasons = parse_turns(text, SOUL)
    assert not reasons and len(turns) == 18 and turns[0].role == "client"
    assert reasons_for(text, SOUL, "soulchat") == ([], [])


@pytest.mark.parametrize(
    "text,reason",
    [
        ("我不知道该说什么。", "no_dialogue"),
        (dialog(6).replace("支持者：谢谢你告诉我第3次", "谢谢你告诉我第3次"), "missing_prefix"),
        ("支持者：你好。\n" + dialog(6), "not_starting_with_client"),
        (dialog(6) + "\n支持者：还有吗？", "roles_not_alternating"),
        (dialog(3), "too_few_turns"),
        (dialog(6).replace("说不清为什么", "说不清\\n为什么"), "escaped_newline"),
        (dialog(6).replace("说不清为什么", "很长" * 200), "utterance_too_long"),
        (dialog(6).replace("我第3次觉得", "我第2次觉得").replace("第3次的感受", "第2次的感受"), "repetitive"),
    ],
)
def test_rejection_reasons(text, reason):
    assert reason in reasons_for(text)[0]


def test_soulchat_bounds_and_ending():
    assert "too_few_turns" in reasons_for(dialog(7, "用户", "心理咨询师"), SOUL, "soulchat")[0]
    assert "too_many_turns" in reasons_for(dialog(21, "用户", "心理咨询师"), SOUL, "soulchat")[0]
    ends_with_client = dialog(9, "用户", "心理咨询师") + "\n用户：好的。"
    assert "not_ending_with_counselor" in reasons_for(ends_with_client, SOUL, "soulchat")[0]


def test_wrong_language():
    en = "\n".join(f"Client: I feel bad about thing {i}.\nCounselor: Tell me more about thing {i}." for i in range(6))
    assert "wrong_language" in reasons_for(en.replace("Client", "求助者").replace("Counselor", "支持者"))[0]


def test_advice_dump_is_flagged_not_rejected():
    text = dialog(6).replace("谢谢你告诉我第4次的感受，能多说一点吗？", "建议如下：1. 早睡。2. 运动。3. 找朋友聊天。")
    reasons, flags = reasons_for(text)
    assert reasons == [] and flags == ["advice_dump@9"]
    assert is_advice_dump("You could:\n1. rest\n2. talk to a friend") and not is_advice_dump(
        "I hear you. 1 thing at a time."
    )


def test_safety_strings_flag_or_drop():
    text = dialog(6).replace("说不清为什么", "我是不是太敏感了")
    assert reasons_for(text) == ([], ["safety:我是"])
    drop = FilterConfig(F.safety_strings, "drop", F.max_utterance)
    assert "safety_filter" in reasons_for(text, filters=drop)[0]


def test_scrub_replaces_contact_details_and_names_consistently():
    turns = [
        Turn("client", "我叫王小明，电话13812345678，邮箱 ming@example.com，QQ：12345678，微信：wxid_abcdef"),
        Turn("counselor", "王小明你好，看看 https://example.com/help 吧，身份证110101199003071234 不要发给别人。"),
        Turn("client", "My name is Daniel, call 555-123-4567."),
    ]
    counts = scrub(turns, "zh")
    text = "\n".join(t.text for t in turns)
    for secret in (
        "13812345678",
        "ming@example.com",
        "12345678",
        "wxid_abcdef",
        "example.com/help",
        "110101199003071234",
        "王小明",
        "555-123-4567",
    ):
        assert secret not in text, secret
    assert turns[0].text.startswith("我叫小林") and turns[1].text.startswith("小林你好")
    assert counts["name"] == 2 and counts["phone"] == 2 and counts["email"] == 1
    en = [Turn("client", "My name is Daniel."), Turn("counselor", "Hi Daniel, I'm glad you came.")]
    scrub(en, "en")
    assert en[1].text == "Hi Alex, I'm glad you came."
