"""Each veto of the lexicon (someone else, the past, a negation, study or fiction) reaches only the clause of the
phrase it cancels: a first-person disclosure elsewhere in the same message stands (issue 19, "whose disclosure,
which clause"). The examples are written for these tests; each group has hard negatives where the veto still
governs its own phrase."""

import pytest

from warmline.safety.detect import screen

# a veto in one clause, the writer's own disclosure in another: flagged
DISCLOSED = [
    # someone else's story first, then the writer's own
    "My friend tried to kill herself last year. Lately I want to die too.",
    "My boyfriend left me and since he left I want to kill myself.",
    "我朋友去年自杀了，我现在也不想活了",
    "我朋友前段时间割腕了，她妈妈很担心她，我们都很难过。其实我这段时间也一直想死，只是没告诉任何人。",
    "我闺蜜跟我说她想自杀，我劝了她很久。说实话我自己也不想活了。",
    # another person named, but not as the subject of the disclosure
    "和男朋友分手后想死",
    "被男朋友打了一顿，想死",
    "我是一个学生每天都想死",
    "我是个女生最近很想死",
    "没有其他办法了，只想死",
    "我是一个有自杀倾向的人，最近越来越严重",
    # a past-time word in another part of the sentence, with its own predicate
    "我每天都想死，以前从来不会这样",
    "我好想死，小时候被欺负的记忆一直在",
    "小时候父母离婚了，我每天都想死",
    "我也很怀念以前的我，但是我好像回不去了，我真的只想离开这里去另一个世界",
    "I want to kill myself, I used to be happy.",
    "I used to love running but I want to die.",
    # a negation in another clause: a dash or a new line ends it as a comma does
    "I'm not ok - I want to die.",
    "I'm not okay\nI want to die",
    "我没有办法\n想死",
    # a context word (a class, homework) in another part of the sentence
    "Failed another class this week, honestly want to die.",
    "每天都想自杀，作业好多",
    # what the writer did or has to do, not fiction or study: a film watched, games, graduate school, homework
    "看了电影还是想死",
    "天天打游戏还是想自杀",
    "考研究生压力大想死",
    "作业太多了想死",
    # the subject is whoever was named last, and "we" includes the writer
    "I can joke with my friends, but I've been starting to think that life is pointless.",
    "We usually hit each other and it's not healthy.",
    "She left me and now all I think about is killing myself.",
    "My mom doesn't understand, she thinks I'm fine but I want to die.",
    # a phrase that names the writer is the writer's, whoever else the sentence names
    "My kids would be better off without me.",
    "My wife would be happier if I were gone.",
    "我离了他就觉得自己活不下去了",
    "她一直在指责我看不到她的好想想就想哭想死",
    "我恨他恨得想死",
    # a Chinese negation reaches its match only across the words of a negated thought (想过, 打算, 敢...)
    "我没有朋友想死",
    "没钱想死",
    "我没有勇气自杀，但每天都在想",
    # 有没有 asks, and 不是我第一次 affirms
    "这已经不是我第一次自杀了",
    "有没有什么自杀方式是没有疼痛的",
]

# what the rubric counts, in words the lexicon had no phrase for (issue 19, item 3; written after reading the dev
# set's misses, so the dev figure they move is optimistic)
RUBRIC_WORDS = [
    # passive wishes and thoughts, as people say them in a session (written for these tests)
    "Yeah, sometimes I think about not being here.",
    "I've thought about ending it.",
    "I don't see the point in living anymore.",
    "I've been thinking that everyone would be better off if I just disappeared.",
    "Sometimes I think it would be easier to not exist.",
    "Part of me wants to die.",
    "I thought about taking all my pills last night.",
    "I'm on the verge of just giving up.",
    "I see no point in this joke some call life.",
    "I don't know how much longer I can try.",
    "I've been hoarding my sleeping pills.",
    "我总觉得死了就能结束一切。",
    "老是觉得死了就可以逃避所有问题",
]
RUBRIC_WORDS_NOT = [
    "I've thought about ending things with my boyfriend.",
    "I keep thinking about ending it with him.",
    "I don't see the point in living in this city.",
    "I'm on the verge of giving up on my degree.",
    "I see no point in this meeting.",
    "规划自己的生活，总想着要放弃，为什么？",
]

# the veto in the phrase's own clause: still cancelled
CANCELLED = [
    "My friend tried to kill herself last year and I don't know how to help her.",
    "My brother is suicidal, how do I support him?",
    "My friend, who is 16, is suicidal.",
    "I think my friend is suicidal.",
    "Back in college, I self-harmed a lot. I'm doing well now.",
    "I tried to kill myself, years ago. Therapy helped.",
    "A few years ago, I attempted suicide and I'm glad I survived.",
    "In my psychology class we talked about suicide.",
    "Someone asked me whether I'd ever kill myself, and I said no.",
    "I would never kill myself.",
    "我朋友说她想自杀，我该怎么帮她？",
    "我朋友失恋了想死，我该怎么劝她",
    "他说他不想活了，我很担心他。",
    "大学时，我有过自杀的念头，现在已经好了",
    "几年前我想过自杀，现在已经走出来了。",
    # the next part says the phrase's part is over
    "I self-harmed a lot, but that's all behind me now.",
    "我想过自杀，但那都是很多年前的事了。",
    "我写论文研究大学生自杀率。",
    "我遇到一个有自杀倾向的女生，我该怎么帮她",
    "这部电影的主角想死，结局很感人。",
    "新闻课作业：负责任地报道自杀有哪些准则？",
    "我不会自杀，我只是太累了。",
    "我从来没有想过要自杀。",
    "我绝不会去自杀，放心。",
    "再见了大家，我明天就去新公司上班了！",
    # someone else's suicide, overdose or self-harm: the other person is the subject of the phrase's clause
    "I recently lost a friend to suicide and I'm drinking more to cope.",
    "Both of my parents committed suicide together, and I was the one who found them.",
    "I found out my stepdaughter overdosed today.",
    "He subsequently overdosed and was found dead.",
    "She has also been suicidal before, so I feel I have to be careful with her.",
    "I reached out to his friend who's attempted to commit suicide.",
    "My brother, who I live with, is suicidal.",
    "We watched a documentary about the Golden Gate Bridge suicide barrier.",
    # feelings, not violence; a habit, not self-harm
    "I'm afraid that I will hurt him if I tell him the truth.",
    "How do I move on without hurting my kids?",
    "I keep drinking even though it's harming myself and others.",
    # violence against someone else in the family (the rubric's current danger is to the writer)
    "我爸喝醉了就打我妈，我很害怕。",
]


@pytest.mark.parametrize("text", DISCLOSED)
def test_a_veto_elsewhere_in_the_message_does_not_cancel_a_disclosure(text):
    v = screen(text)
    assert v.risk in ("elevated", "imminent"), (text, v.evidence)


@pytest.mark.parametrize("text", CANCELLED)
def test_a_veto_in_the_phrase_s_own_clause_still_cancels_it(text):
    v = screen(text)
    assert v.risk == "none", (text, v.evidence)


@pytest.mark.parametrize("text", RUBRIC_WORDS)
def test_the_rubric_s_words_are_read(text):
    assert screen(text).risk != "none", text


@pytest.mark.parametrize("text", RUBRIC_WORDS_NOT)
def test_and_their_ordinary_neighbours_are_not(text):
    v = screen(text)
    assert v.risk == "none", (text, v.evidence)


# review of issue 19: first-person disclosures that name someone else before the phrase, as the object of the
# writer's verb ("I hate my stepdad and want to die"), in a relative clause closed before the writer's own clause,
# or as the one who does not know; each was cancelled as someone else's
OBJECT_OF_MINE = [
    "I hate my stepdad and want to die.",
    "I lost my job and my girlfriend and want to end it all.",
    "I keep fighting with my parents and just want to die.",
    "I broke up with my boyfriend and feel suicidal.",
    "I love my kids but want to die.",
    "I moved in with my sister and still feel suicidal.",
    "I hate my mom and my dad and want to die.",
    "I hate my mom and my dad and my sister and my job and my whole life and want to die.",
]
RELATIVE_CLOSED = ["My mom, who I love, doesn't get why I want to die."]
NOT_KNOWING = ["My friends don't know I'm suicidal.", "I didn't tell anyone I want to die."]
# the same shapes with the other person as the subject of the phrase: still someone else's
OTHERS_STILL = [
    "My friend wants to kill himself.",
    "My friend cut herself and wants to die.",
    "I think my brother wants to die.",
    "I hate my stepdad and he wants to die.",
    "My mom hates my dad and wants to die.",
    "My mom hates my dad and my sister and my job and my whole life and wants to die.",
    "I love my kids but they want to die.",
    "I called my sister and she said she wants to die.",
    "I'm worried about my brother because he's suicidal.",
    "My friend who I love is suicidal.",
    "My friend, who I love, is suicidal.",
    "I don't think I want to die.",
]


@pytest.mark.parametrize("text", OBJECT_OF_MINE)
def test_a_person_the_writer_names_as_object_does_not_take_the_disclosure(text):
    v = screen(text)
    assert v.risk in ("elevated", "imminent"), (text, v.evidence)


@pytest.mark.parametrize("text", RELATIVE_CLOSED)
def test_an_i_after_a_closed_relative_clause_is_the_writer_s(text):
    v = screen(text)
    assert v.risk in ("elevated", "imminent"), (text, v.evidence)


@pytest.mark.parametrize("text", NOT_KNOWING)
def test_a_negated_knowing_does_not_negate_the_writer_s_clause(text):
    v = screen(text)
    assert v.risk in ("elevated", "imminent"), (text, v.evidence)


@pytest.mark.parametrize("text", OTHERS_STILL)
def test_the_other_person_as_subject_still_cancels(text):
    v = screen(text)
    assert v.risk == "none", (text, v.evidence)


# a question someone asked, answered yes right after it, is the writer's disclosure; answered no, it stays vetoed
ASKED_YES = [
    "My therapist asked whether I want to kill myself. I do.",
    "My therapist asked whether I was suicidal. I am.",
]
ASKED_NO = [
    "Someone asked me whether I'd ever kill myself, and I said no.",
    "My therapist asked whether I want to kill myself. I don't.",
]


@pytest.mark.parametrize("text", ASKED_YES)
def test_a_yes_to_a_question_someone_asked_is_a_disclosure(text):
    v = screen(text)
    assert v.risk in ("elevated", "imminent"), (text, v.evidence)


@pytest.mark.parametrize("text", ASKED_NO)
def test_a_no_to_it_stays_vetoed(text):
    v = screen(text)
    assert v.risk == "none", (text, v.evidence)


# 不如去死 ("I might as well go and die") is a wish to die like 不如一死; said to someone else it is an insult
@pytest.mark.parametrize("text", ["像我这样的人还不如去死。", "这样活着不如去死"])
def test_better_to_go_and_die_is_read(text):
    assert screen(text).risk != "none", text


def test_better_to_go_and_die_said_to_someone_else_is_not_the_writer_s():
    assert screen("你还不如去死").risk == "none"


def test_a_long_list_between_a_person_and_the_phrase_is_read_once():
    # hostile input: a list of things the writer names could be split many ways by the coordinated-predicate rule
    # (twenty items took 5.7 s, each item about 2.4 times the one before); it must read one way only
    # no conjunction before the phrase: not the writer's second predicate, read as the short one is (the mom's)
    short = screen("I hate my mom and my dog x want to die.")
    for items in (17, 40):  # (17: within the rule's reach, so the rule reads it; 40: beyond it)
        assert screen("I hate my mom" + " and my dog" * items + " x want to die.").risk == short.risk == "none"
    assert screen("I hate my mom" + " and my dog" * 17 + " and want to die.").risk == "elevated"


def test_a_veto_reads_a_bounded_window_of_a_run_on_sentence():
    # a paste with no sentence break is one "sentence": each match reading all of it made the scan quadratic
    from warmline.safety.vetoes import SENTENCE_REACH, clause_span

    text = "I want to die " * 1000
    for pos in (0, 7000, len(text) - 5):
        a, b = clause_span(text, pos)
        assert a <= pos <= b and b - a <= 2 * SENTENCE_REACH
    assert clause_span("I'm ok. I want to die.", 10) == (7, 21)  # an ordinary sentence is read whole
    assert screen("我想死" * 2000).risk == "elevated" and screen("I want to die " * 1000).risk == "elevated"


# "to die for" is an idiom after a noun ("a cake to die for"), not after "want": "I have wanted to die for years"
# was blanked as the idiom and read as nothing
@pytest.mark.parametrize(
    "text", ["I have wanted to die for years.", "I want to die for real.", "I've wanted to die for months."]
)
def test_wanting_to_die_for_a_time_is_not_the_idiom(text):
    assert screen(text).risk == "elevated", text


@pytest.mark.parametrize("text", ["This cake is to die for.", "She has a smile to die for."])
def test_the_idiom_to_die_for_stays_an_idiom(text):
    assert screen(text).risk == "none", text
