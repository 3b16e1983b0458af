"""The lexicon on the categories of ../shared/safety-real/RUBRIC.md it once had no words for (passive wishes
not to exist, self-harm other than cutting, harm to others, current violence), and its grading of imminent risk.
The examples are written for these tests, not taken from the labelled messages; each positive has hard negatives
beside it (idioms, negation, other people, fiction, past abuse that is over, ordinary conflict)."""

import pytest

from warmline.safety.detect import screen

ELEVATED = [
    # passive wishes to be dead or not to exist
    "Some nights I honestly think I shouldn't be here.",
    "I can't bring myself to care whether I live or die.",
    "Why do I have to keep existing when everything hurts?",
    "On the motorway I picture letting go of the wheel.",
    "Everyone would be better off without me around.",
    "我觉得活着没有什么意义。",
    "有时候会想，如果我不在了，大家会过得更好。",
    "真希望睡着了就再也不要醒来。",
    "我总觉得死了就是一种解脱。",
    "我11岁，最近总是没有由来地想死。",
    # self-harm other than cutting
    "When I get angry I punch myself in the face.",
    "I bite my arms until they bruise.",
    "I keep banging my head against the walls when I'm upset.",
    "生气的时候我会打自己，用头撞墙。",
    "我最近总想用小刀划手腕。",
    # thoughts or urges to harm other people
    "I get urges to hurt people and it scares me.",
    "There's a voice that tells me to hurt my roommate.",
    "I keep having violent thoughts about stabbing my coworker.",
    "我心里有杀人的念头，很害怕。",
    # current violence, threats, stalking
    "My husband still hits me when he drinks.",
    "My ex won't stop stalking me and I'm scared to go out.",
    "I'm scared he's going to hurt me again when he gets home.",
    "老公喝醉了就对我拳打脚踢。",
    "他一直跟踪我，还威胁说要打断我的腿。",
]

NONE = [
    "I shouldn't be here at this hour, my boss will notice.",
    "I would never hurt myself.",
    "I hit my head on the cupboard door this morning.",
    "I've been banging my head against the wall trying to fix this bug.",
    "The character in the novel has violent thoughts about his boss.",
    "How do I deal with my son's violent thoughts?",
    "My boyfriend and I argue a lot about chores.",
    "She kicked me out of the group chat.",
    "I was beating myself up over the exam.",
    "My dad hit me when I was a kid, but that's long over and we get on now.",
    "I used to cut my arms in high school; I haven't for six years.",
    "笑死我了，这个视频太搞笑了。",
    "我想消失一段时间，去旅行散散心。",
    "我朋友说她觉得活着没有意义，我该怎么帮她？",
    "打自己的脸了，昨天说不吃宵夜今天就吃了。",
    "小时候爸妈揍我，现在关系很好。",
    "我不会自杀，我只是很累。",
    "这部小说的主角想杀人。",
    "他打我电话打了十次。",
    "和男朋友吵架了，他说我不在乎他。",
    "Life is pointless without coffee, honestly.",
    "我不打算自杀，只是压力大。",
]

IMMINENT = [
    "我已经决定了，准备好自杀了。",
    "我打算拿到录取通知以后就结束自己的生命。",
    "晚安，世界。",
    "我不想活了，怎么自杀不痛苦？",
    "I've decided to kill myself, I picked the date.",
    "By the time you read this I'll be gone.",
    "I want to die. What's the most painless way to die?",
    # traditional characters and full-width letters read as their plain forms
    "我今晚就要自殺",
    "我現在只想跳樓",
    "我已經準備好跳河了",
    "ｉ ｗａｎｔ ｔｏ ｄｉｅ ｔｏｎｉｇｈｔ",
]

# a weak timing word ("now", "现在") in another sentence says when the person writes, not when they will act;
# a method asked about with no wish to die stated stays elevated
NOT_IMMINENT = [
    "我最近总是想自杀。现在在图书馆，有点累。",
    "I'm writing this now from the library. I've had thoughts of suicide for months.",
    "什么安眠药最容易让人死？",
]


# a plan, a goodbye or pills taken, said in words that are ordinary on their own: not flagged alone, imminent beside
# a wish to die (a reviewer found each of these getting the imminent crisis message)
PLAIN_WORDS = [
    "I just took my pills.",
    "I have taken my tablets this morning like the doctor said.",
    "I've decided how to decorate my room.",
    "I have a plan for when my exams are over.",
    "Goodbye everyone, see you at the party!",
    "This is my last day at work, so sad to leave the team.",
    "This is my last night in Paris!",
    "站在阳台边晒太阳，心情好多了。",
    "我爬上了桥上拍照。",
    "明天就走了，去上海出差。",
    "By the time you read this I'll be gone on holiday, so water the plants.",
]
WITH_A_WISH_TO_DIE = [
    "I want to die. I just took my pills.",
    "I don't want to live anymore. Goodbye everyone.",
    "我不想活了，明天我就不在了。",
    "我想死，现在站在天台上。",
]


@pytest.mark.parametrize("text", PLAIN_WORDS)
def test_a_plan_or_goodbye_in_ordinary_words_alone_is_not_flagged(text):
    v = screen(text)
    assert v.risk == "none", (text, v.evidence)


@pytest.mark.parametrize("text", WITH_A_WISH_TO_DIE)
def test_the_same_words_beside_a_wish_to_die_are_imminent(text):
    v = screen(text)
    assert v.risk == "imminent", (text, v.evidence)


@pytest.mark.parametrize("text", ELEVATED)
def test_the_rubric_s_categories_are_read(text):
    v = screen(text)
    assert v.risk in ("elevated", "imminent"), (text, v)


@pytest.mark.parametrize("text", NONE)
def test_their_hard_negatives_are_not(text):
    v = screen(text)
    assert v.risk == "none", (text, v.evidence)


@pytest.mark.parametrize("text", IMMINENT)
def test_a_decided_plan_a_goodbye_or_a_method_with_intent_is_imminent(text):
    v = screen(text)
    assert v.risk == "imminent", (text, v.evidence)


@pytest.mark.parametrize("text", NOT_IMMINENT)
def test_weak_timing_far_from_the_risk_or_a_bare_method_question_is_elevated(text):
    v = screen(text)
    assert v.risk == "elevated", (text, v.evidence)
