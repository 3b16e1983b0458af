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
    "我写论文研究大学生自杀率。",
    "我遇到一个有自杀倾向的女生，我该怎么帮她",
    "我不会自杀，我只是太累了。",
    "再见了大家，我明天就去新公司上班了！",
]


@pytest.mark.parametrize("text", DISCLOSED)
def test_a_veto_elsewhere_in_the_message_does_not_cancel_a_disclosure(text):
    v = screen(text)
    assert v.risk in ("elevated", "imminent"), (text, v.evidence)


@pytest.mark.parametrize("text", CANCELLED)
def test_a_veto_in_the_phrase_s_own_clause_still_cancels_it(text):
    v = screen(text)
    assert v.risk == "none", (text, v.evidence)
