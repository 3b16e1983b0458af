"""The counselor's question as context: an answer inherits the risk of the question before it (`safety.context`),
graded after RUBRIC.md; the examples are written for these tests."""

import pytest

from warmline.safety.context import STAGE, answer, answered, question, raise_by_answer
from warmline.safety.detect import Verdict
from warmline.safety.policy import crisis_message

SUICIDE_EN = "Have you thought about killing yourself?"
HARM_EN = "Do you ever think about hurting yourself?"
SUICIDE_ZH = "你有没有想过结束生命？"
HARM_ZH = "你有没有想过伤害自己？"

ELEVATED = [
    ("You wanted to kill yourself yesterday?", "Yes."),
    (HARM_EN, "Sometimes, at night."),
    (SUICIDE_EN, "Yeah"),
    (SUICIDE_EN, "I have, more than once"),
    (SUICIDE_EN, "Honestly, yes."),
    (SUICIDE_EN, "I think so, yes"),
    (HARM_EN, "Every day lately."),
    ("Do you ever wish you were dead?", "Kind of"),
    ("Do you ever wish you were dead?", "I guess"),
    ("Do you ever wish you were dead?", "I don't know"),  # a hedge: a counselor would ask more at once
    ("You're not thinking of hurting yourself, are you?", "I am."),  # the question's own negation
    ("Are you having thoughts of suicide?", "Yes, but I would never do it"),  # thoughts count though not acted on
    (HARM_ZH, "有过"),
    (SUICIDE_ZH, "想过，但没真的做"),
    (SUICIDE_ZH, "嗯"),
    (SUICIDE_ZH, "偶尔会"),
    (SUICIDE_ZH, "有时候吧"),
    ("你会不会伤害自己？", "会"),
    ("你从来没有想过自杀吗？", "有"),
    ("你有没有想过自杀？", "以前有过，最近又有了"),  # past, and back
    ("你有没有想过自杀？", "不止一次"),
    ("Are you safe right now?", "No."),  # a denial of safety is the risk
    ("你现在安全吗？", "不太安全"),
]

NONE = [
    (SUICIDE_EN, "No."),
    (SUICIDE_EN, "never"),
    (SUICIDE_EN, "Not really"),
    (SUICIDE_EN, "Not anymore."),  # past risk said to be over
    (SUICIDE_EN, "I used to, years ago"),
    (SUICIDE_EN, "I haven't"),
    (SUICIDE_ZH, "没有"),
    (SUICIDE_ZH, "不会"),
    (SUICIDE_ZH, "从来没有"),
    (SUICIDE_ZH, "以前有过"),  # past, not said to be back: the rubric's "now or recently"
    (SUICIDE_ZH, "现在没有了"),
    ("Are you safe right now?", "Yes, I'm safe."),
    # a long message about something else does not inherit
    (
        SUICIDE_EN,
        "My mom always says I'm too sensitive and work has been crazy lately with the new project and everything",
    ),
    (SUICIDE_ZH, "我妈总说我太敏感了，工作最近也特别忙，新项目一个接一个，压力真的很大"),
    # a short message that only holds a yes-word in passing
    (SUICIDE_EN, "I have a lot going on at work"),
    # an assistant turn without a question, or a question about something else
    ("I hear that you are exhausted and that killing yourself has crossed your mind.", "yes"),
    ("How was your weekend?", "Yes"),
    ("你最近睡得好吗？", "嗯"),
    # a question about someone else
    ("Has anyone in your family ever committed suicide?", "Yes"),
    ("你家人有没有人自杀过？", "有"),
]

IMMINENT = [
    ("Do you have a plan to kill yourself?", "Yes"),
    ("Are you going to kill yourself tonight?", "Yeah"),
    (SUICIDE_EN, "Yes, tonight"),  # the answer adds its own time
    ("你今晚打算自杀吗？", "嗯"),
    ("你有没有想过用什么方法结束生命？", "想过"),
]


@pytest.mark.parametrize("asked,text", ELEVATED)
def test_an_answer_that_affirms_a_risk_question_is_elevated(asked, text):
    v = answered(asked, text)
    assert v is not None and v.risk == "elevated" and v.stage == STAGE and "answer" in v.categories


@pytest.mark.parametrize("asked,text", NONE)
def test_denials_past_risk_and_unrelated_messages_inherit_nothing(asked, text):
    assert answered(asked, text) is None


@pytest.mark.parametrize("asked,text", IMMINENT)
def test_affirming_a_plan_or_a_time_is_imminent(asked, text):
    v = answered(asked, text)
    assert v is not None and v.risk == "imminent"


def test_a_hedge_to_a_plan_question_stays_elevated():
    assert answered("Do you have a plan to kill yourself?", "maybe").risk == "elevated"
    assert answered("你有没有想好用什么方法结束生命？", "可能吧").risk == "elevated"


def test_a_plan_question_that_names_no_risk_needs_risk_earlier_in_the_conversation():
    assert answered("Do you have a plan?", "Yes") is None
    assert answered("Do you have a plan?", "Yes", context_risky=True).risk == "imminent"
    assert answered("你打算什么时候做？", "今晚", context_risky=True) is None  # no yes-or-no: not an answer
    assert answered("你有计划了吗？", "有了", context_risky=True).risk == "imminent"


def test_the_question_is_read_as_the_persons_own_words():
    q = question("Have you thought about killing yourself?")
    assert q is not None and "suicidal_ideation" in q.categories and not q.plan
    assert "suicidal_ideation" in question("你有没有想过自杀？").categories  # 有没有 is not a negation
    assert question("How do you feel today?") is None
    assert question("") is None and question(None) is None


def test_answer_shapes():
    assert answer("Yes, last night") == "yes"
    assert answer("sometimes") == "partly"
    assert answer("nope") == "no"
    assert answer("I'm fine now") == "no"
    assert answer("What do you mean by that, I don't get why you'd ask me this now?") is None


@pytest.mark.parametrize("lang,yes", [("en", "yes"), ("zh", "是的")])
def test_yes_to_our_own_check_in_is_flagged(lang, yes):
    check_in = crisis_message(Verdict("elevated", ["classifier"], [], lang, "classifier", 0.5))
    v = answered(check_in, yes)
    assert v is not None and v.risk == "elevated" and v.stage == STAGE


def test_a_question_only_raises():
    own = Verdict("imminent", ["suicidal_ideation", "imminent_timing"], ["kill myself", "tonight"], "en", "lexicon")
    assert raise_by_answer(own, "Do you like pizza? Say no if you are safe.", "no") is own
    elevated = Verdict("elevated", ["self_harm"], ["cut myself"], "en", "lexicon")
    assert raise_by_answer(elevated, SUICIDE_EN, "No, but I cut myself") is elevated  # a denial never lowers
    raised = raise_by_answer(Verdict(lang="en"), "Do you have a plan to kill yourself?", "yes")
    assert raised.risk == "imminent" and raised.stage == STAGE
