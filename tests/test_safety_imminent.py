"""Imminent grading after the rubric (issue 19, item 2): a wish to die or to self-harm WITH a time (tonight, after
something), means at hand, a decision, a goodbye or an act under way is imminent; a present-tense word that only
says how things are ("现在我甚至想自杀", "I'm writing this now") is not. Examples written for these tests."""

import pytest

from warmline.safety.detect import screen

IMMINENT = [
    # a time: tonight, after something, when the others are asleep or gone
    "I'm going to kill myself after my parents go to sleep.",
    "I want to kill myself when everyone leaves tomorrow.",
    "I want to kill myself now.",
    "我现在就想死",
    "打算拿到满意的学校的正式录取后就结束自己的生命。",
    "等考完试我就去死",
    "我想断掉与所有人的联系，然后自杀",
    # a stated intent, a day named for it
    "I'm going to kill myself.",
    "I'm gonna kill myself tomorrow.",
    "明天我就去死",
    # means at hand or ready
    "我不想活了，已经买好了安眠药",
    "我已经在天台上了，不想活了",
    "I want to die. I have the pills right here.",
    "我不想活了，药都准备好了",
    "我把安眠药都攒够了，想死",
    "刀已经准备好了，我想自残",
    # a decision: a note written, a goodbye before leaving
    "I wrote my suicide note. I can't do this anymore.",
    "我真的撑不下去了，遗书已经写好了",
    "我真的好想去死，可能问完这个问题我已经离开了",
    # an act under way, or standing at the edge
    "I'm standing on the bridge and I want to end it.",
    "我现在站在楼顶，不想活了",
    "我正在自残",
    "自残，现在血止不住了",
    # a method chosen or sought by someone who wants to die, or several method details at once
    "用什么便宜的安眠药能自杀成功？",
    "如果我选择跳河的方式，是否能够彻底解脱",
    "我感觉无法承受痛苦的自杀方式，请问你有没有其他建议？",
    "吃安眠药多少片会死？且不会被抢救过来？",
]

# at risk, but no time, means, decision or act: elevated
ELEVATED = [
    "现在我甚至想自杀。",
    "导致我现在很想很想死，也尝试过割腕，不知道该跟谁说。",
    "I'm writing this now from the library. I want to die.",
    "Failed another class today, honestly want to die.",
    "I bite my arms when I get mad. I have a great family. I have a good job. Tonight it was over my earrings.",
    "什么安眠药最容易让人死？",
    "最近总想自杀，但我今天去看了医生，在吃药。",
]

# the same words with no risk, or about someone else: none
NONE = [
    "他分手后就自杀了，我到现在都忘不了。",
    "毕业以后就去上海工作了。",
    "出差的药都准备好了，明天出发。",
    "I'm standing on the bridge taking photos of the sunset.",
    "The knife is right here in the drawer if you need it for the cake.",
    "After my parents go to sleep I like to read.",
    "我买好了药，准备出差。",
]


@pytest.mark.parametrize("text", IMMINENT)
def test_a_wish_with_a_time_means_decision_or_act_is_imminent(text):
    v = screen(text)
    assert v.risk == "imminent", (text, v.evidence)


@pytest.mark.parametrize("text", ELEVATED)
def test_risk_without_them_stays_elevated(text):
    v = screen(text)
    assert v.risk == "elevated", (text, v.evidence)


@pytest.mark.parametrize("text", NONE)
def test_their_words_alone_are_not_risk(text):
    v = screen(text)
    assert v.risk == "none", (text, v.evidence)


# a wish told as past says when it was felt, not when the person will act: elevated, never imminent (review of
# issue 19: "After my dad left" was read as a deadline, and a time word beside "wanted to" as a time to act)
PAST_TOLD = [
    "After my dad left, I wanted to kill myself.",
    "When my mom left I wanted to die.",
    "Once everyone left the party I wanted to kill myself.",
    "Yesterday after work I wanted to kill myself.",
    "Tonight I wanted to kill myself but I didn't.",
    "When my girlfriend left I felt like killing myself.",
    "我曾经想过等他们睡着后就去死。",
    "Back in 2019 I planned to kill myself after work.",
    "Last year I planned to end my life after my exams.",
]

# the same shapes said of now or of what the person will do stay imminent
STILL_IMMINENT = [
    "When my parents go to sleep I'm going to kill myself.",
    "After my wife leaves for work I'm going to end my life.",
    "Once they have left I'm going to kill myself.",
    "After my dad leaves I want to kill myself.",
    "I wanted to die for years. Tonight I'm going to kill myself.",
    "I used to want to die, and tonight I want to kill myself.",
    "以前我也想过死，今晚我就去死。",
    "I want to kill myself tonight.",
    "I've planned to kill myself tonight.",
    "Last year I tried, and tonight I'm going to kill myself.",
]


@pytest.mark.parametrize("text", PAST_TOLD)
def test_a_wish_told_as_past_is_not_imminent(text):
    v = screen(text)
    assert v.risk == "elevated", (text, v.evidence)


@pytest.mark.parametrize("text", STILL_IMMINENT)
def test_a_wish_for_now_beside_a_past_one_stays_imminent(text):
    v = screen(text)
    assert v.risk == "imminent", (text, v.evidence)


# "等…了我就去死": a time set by waiting for something, said without 后 (was none: the rule needed 后/以后/完)
@pytest.mark.parametrize("text", ["等我妈睡着了我就去死。", "等他们都走了我就去自杀"])
def test_waiting_for_a_moment_to_die_is_imminent(text):
    v = screen(text)
    assert v.risk == "imminent", (text, v.evidence)


@pytest.mark.parametrize("text", ["等他走了我就去睡觉", "等考完试了我就去上海"])
def test_waiting_for_a_moment_to_do_something_else_is_not_risk(text):
    assert screen(text).risk == "none", text


# "kill myself laughing" is an idiom: the stated-intent rule made it imminent
@pytest.mark.parametrize(
    "text", ["I'm going to kill myself laughing.", "I nearly killed myself laughing at that video."]
)
def test_killing_oneself_laughing_is_an_idiom(text):
    assert screen(text).risk == "none", text


# "I'm going to do it" beside a wish to die is a decision, told in a new clause after a past wish ("I've wanted to
# die for months and tonight I'm going to do it" was elevated once the past wish took no time word)
@pytest.mark.parametrize(
    "text", ["I've wanted to die for months and tonight I'm going to do it.", "I want to die. I'm going to do it."]
)
def test_going_to_do_it_beside_a_wish_to_die_is_imminent(text):
    v = screen(text)
    assert v.risk == "imminent", (text, v.evidence)


@pytest.mark.parametrize(
    "text",
    ["I'm going to do it tomorrow, the homework I mean.", "I want to die but I'm going to do it anyway, the exam."],
)
def test_going_to_do_it_alone_or_said_of_something_else_is_not_imminent(text):
    assert screen(text).risk != "imminent", text
