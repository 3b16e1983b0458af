"""Risk that only the counselor's question shows: "Yes." after "Do you ever think about killing yourself?",
"有过" after "你有没有想过伤害自己？". `answered` reads the turn the assistant (or counselor) said just before the
person's message and the message itself, and says whether the message affirms a risk question, and at what level.

It only ever raises a verdict (`raise_by_answer`): a client of the API writes the whole messages array and can
forge an assistant turn, so an assistant turn must never lower what the person's own words say.

How answers are graded, after RUBRIC.md (judge what the writer says about themselves, now or recently):
- an affirmation ("yes", "I have", "sometimes", 是, 有过, 想过, 偶尔, 嗯) or a hedge a careful counselor would ask
  about right away ("maybe", "kind of", "I guess", "I don't know", 可能, 说不清) is elevated;
- a full affirmation of a question about a plan, means or a time ("Do you have a plan?", "今晚吗？") is imminent,
  as is an affirmation that adds its own time or means ("Yes, tonight", "嗯，药都准备好了"); a hedge stays elevated;
- a denial ("no", "never", "not really", 没有, 不会, 从来没有) is none, and so is risk the answer puts in the past
  ("not anymore", "I used to", 以前有过, 现在没有了) unless it also says it is back ("以前有过，最近又有了"): the
  rubric's "past history described as over" and its "now or recently";
- a message shaped as an answer inherits: one that starts with the affirmation (after "honestly", "well", 其实 ...),
  or a short one that holds it; a long message about something else does not.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .detect import ELEVATED, LEVELS, Verdict, cues, scan, without_idioms

# the stage recorded on a verdict this raised (`Verdict.stage`)
STAGE = "asked"
# the category added to it, beside the question's own (`Verdict.categories`)
CATEGORY = "answer"

# fmt: off
# a question, or "tell me if"
_QUESTION = re.compile(
    r"[?？]|[吗呢嘛](?:[\s。.!！~]|$)|有没有|是否|会不会|是不是|想不想|要不要|有无|"
    r"(?:^|[.!,;:]\s*|\b(?:and|so|but|or)\s+)(?:do|did|does|have|has|had|are|were|is|was|would|will|could|can|should)\s+(?:you|u)\b|"
    r"\b(?:tell|let) me (?:if|whether)\b|\b(?:i )?wonder(?:ing)? (?:if|whether)\b|\bwhether (?:you|u)\b",
    re.IGNORECASE,
)
# a conditional that asks without a question mark ("if you are having thoughts of harming yourself ...", our own
# check-in); a bare "ok" or "嗯" after it acknowledges, it does not answer
_IF = re.compile(r"\bif (?:you|u)(?:'re|'ve| are| have| were| had| feel| ever| find)\b|如果你|假如你|要是你", re.IGNORECASE)
_ASKS = re.compile(f"{_QUESTION.pattern}|{_IF.pattern}", re.IGNORECASE)
_ACKNOWLEDGES = re.compile(
    r"(?:嗯+|恩+|好的?|行|知道了|明白|谢谢|mhm+|mm+|uh[- ]?huh|ok(?:ay)?|sure|right|true|thanks?|thank you|got it)"
    r"(?=$|[\s,，.。!！~…]|了|的|啊|呀)",
    re.IGNORECASE,
)
# second person to first, so that the lexicon reads the question as it reads a disclosure
_EN_PERSON = [
    (r"\byourself\b", "myself"), (r"\byou'?re\b", "I'm"), (r"\byou'?ve\b", "I've"), (r"\byou'?d\b", "I'd"),
    (r"\byou'?ll\b", "I'll"), (r"\bare (?:you|u)\b", "am I"), (r"\b(?:you|u) are\b", "I am"), (r"\b(?:you|u) were\b", "I was"),
    (r"\bwere (?:you|u)\b", "was I"), (r"\byour\b", "my"), (r"\b(?:you|u)\b", "I"),
]
# Chinese questions put a negation inside the question ("有没有想过自杀", "会不会伤害自己"): the yes-or-no form is read
# as its affirmative, as a negation would cancel the match
_ZH_QUESTION_FORM = [(r"有没有", "有"), (r"会不会", "会"), (r"是不是", "是"), (r"想不想", "想"), (r"要不要", "要"),
                     (r"有无", "有"), (r"是否", ""), (r"您", "我"), (r"你们?", "我")]
# a question's own negation does not change what it asks about ("You're not thinking of hurting yourself, are you?",
# "你从来没有想过自杀吗？"): the question is read once as written and once without its negators, and either counts
_NEGATORS = re.compile(r"\b(?:not|never|no longer)\b\s*|n't\b|从来没有|从来不|从没|从不|没有|没|不会|不", re.IGNORECASE)
# a question about someone else ("Has anyone in your family ...", "你家人有没有人自杀过？") is not about the person
# (read in the asking sentence only; the lexicon's own reading of the question cancels "他有没有自残的行为")
_SOMEONE_ELSE = re.compile(
    r"\b(?:any|some) ?(?:one|body) (?:in|close|else|you know|around|who)\b|"
    r"\b(?:has|have|did|does|is|was|do|are) (?:any|some) ?(?:one|body)\b(?! (?:hurt|hit|beat|abus|threaten|touch))|"
    r"\bother people you know\b|"
    r"\byour (?:\w+ )?(?:friends?|family|relatives?|parents?|mother|mom|mum|father|dad|brothers?|sisters?|partner|"
    r"husband|wife|boyfriend|girlfriend|children|kids?|son|daughter|classmates?|colleagues?)\b(?! (?:hurt|hit|beat|abus|threaten|touch))|"
    r"(?:家人|家里人|亲人|亲戚|朋友|同学|同事|父母|身边的?人)(?:中|里|当中)?(?:有没有人|有人|是否有人)|(?:别人|其他人)(?:有没有|是否|会不会)",
    re.IGNORECASE,
)
# what counselors ask about in words a disclosure seldom uses ("Have you been cutting?", "Have you ever attempted?",
# "Is he hurting you?", 你有没有想过消失？): read on the question as written, beside the lexicon's reading of it
_ASKED_TOPICS = {
    "suicidal_ideation": re.compile(
        r"\battempt(?:ed|s)?\b(?! to (?!kill|end|take))|\bend(?:ing)? it\b|\bend(?:ing)? (?:your|your own) life\b|"
        r"\bthoughts? of (?:death|dying|not (?:wanting to )?(?:be(?:ing)? (?:here|alive)|liv\w+|wak\w+ up))|"
        r"\bnot wanting to (?:be here|be alive|live|wake up)\b|\bthink(?:ing)? (?:about|of) (?:dying|death)\b|"
        r"\bend(?:ing)? (?:their|one's|his|her) (?:own )?li(?:fe|ves)\b|\bkill(?:ing)? (?:themselves|oneself)\b|"
        r"(?:想|想过|想要)(?:就这样)?(?:从这个世界上?)?消失|消失(?:掉|在这个世界)|一了百了|轻生|寻死|(?:想|想过|想要)死|去死|"
        r"死的(?:念头|想法|冲动)|结束(?:自己|生命)|自杀",
        re.IGNORECASE,
    ),
    "self_harm": re.compile(
        r"\bcutting\b|\bcut (?:yourself|your (?:arms?|wrists?|legs?|skin))\b|\bself[- ]?harm|"
        r"\b(?:hurt|hurting|harm|harming|burn|burning|hit|hitting) yourself\b|割|划伤|自残|自伤|伤害自己",
        re.IGNORECASE,
    ),
    "harm_to_others": re.compile(
        r"\b(?:harm|harming|hurt|hurting|kill|killing|attack|attacking) (?:others|other people|someone|somebody|anyone)\b|"
        r"伤害(?:别人|他人|其他人)|伤人的?(?:冲动|想法|念头)|杀人",
        re.IGNORECASE,
    ),
    "abuse": re.compile(
        r"\b(?:he|she|they|any ?one|some ?one|any ?body|some ?body|your \w+) (?:ever |still )?"
        r"(?:hurt(?:s|ing)?|hit(?:s|ting)?|beat(?:s|ing)?|abus\w+|threaten\w*|touch\w*) you\b|"
        r"\bare you (?:being )?(?:hurt|hit|abused|threatened)\b|(?:他|她|有人)[^，。？]{0,6}(?:打|伤害|威胁|虐待|性侵)(?:过)?你",
        re.IGNORECASE,
    ),
}
# what makes a risk question ask about a plan, means or a time
_PLAN_WORDS = re.compile(
    r"\b(?:plans?|planned|planning|how (?:would|will|might) (?:you|u)|when (?:would|will|might) (?:you|u)|a method|"
    r"(?:the|any) means|tonight|right now|this weekend|access to|(?:ready|prepared) to (?:die|do it|end|go through)|"
    r"decided (?:to|how|when)|"
    r"(?:guns?|pills|tablets|rope|knife|knives|blades?|weapons?|medications?) (?:at home|nearby|with you|in the house|saved|stored))\b|"
    r"计划|打算(?:什么时候|怎么|在哪|用|去)|准备(?:好)?了?(?:药|绳|刀|工具|怎么)|(?:用|什么)(?:什么)?(?:方法|方式|办法)(?:结束|自杀|死|伤害)|"
    r"(?:自杀|结束生命|死|伤害自己)的?(?:方法|方式)|怎么(?:做|死|结束)|什么时候(?:做|动手|结束)|今晚|马上|现在就|等下|工具|"
    r"(?:买|攒|囤|存)(?:了|好)?(?:药|刀|绳)",
    re.IGNORECASE,
)
# questions that ask whether the person is safe: there, a denial is the risk ("Are you safe right now?" "No.")
_SAFE_QUESTION = re.compile(
    r"\b(?:are|do) (?:you|u) (?:feel )?safe\b|\bkeep (?:yourself|urself) safe\b|\byou(?:'re| are) safe\b|"
    r"(?:你|您)(?:现在|目前)?(?:是否|觉得)?(?:还)?安全(?!感)|安全吗",
    re.IGNORECASE,
)

# a question of how long or how often ("这种情况持续了多久了？"): a span or a count answers it as a yes does
_HOW_LONG = re.compile(
    r"\bhow (?:long|often|many times|frequently)\b|\bsince when\b|\bwhen (?:did|was|were|do|have)\b|\bthe last time\b|"
    r"多久|多长时间|多少次|多频繁|频率|几次|什么时候|最近一次|上一次",
    re.IGNORECASE,
)
_SPAN = re.compile(
    r"(?:(?:for|about|around|almost|nearly|over|more than|at least|maybe|probably)\s+)*"
    r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|a few|a couple of|several|many|half a)\s+"
    r"(?:years?|months?|weeks?|days?|times?|nights?)\b|\bsince\b|\b(?:once|twice) a (?:day|week|month)\b|"
    r"(?:already |just )?(?:last (?:night|week|weekend|month)|this (?:morning|week|weekend|month)|yesterday|today|tonight|"
    r"earlier|just now|a (?:few )?(?:days?|weeks?) ago|the other (?:day|night))\b|"
    r"(?:已经|有|快|大概|差不多|将近|至少|好像|应该)*(?:\d+|[一二两三四五六七八九十半几好多]+)(?:个)?(?:多)?(?:年|月|周|星期|礼拜|天|次|回)|"
    r"(?:就)?(?:昨天|昨晚|今天|今晚|刚才|刚刚|上周|上个星期|前几天|前两天|这几天|这周|这个星期|最近)",
    re.IGNORECASE,
)
# a question that points back at what the person said ("those thoughts", "这种想法")
_BACK_REFERENCE = re.compile(
    r"\b(?:those|these|the|such|that|this|any of those) (?:thoughts?|feelings?|urges?|ideas?|impulses?)\b|"
    r"\bfeel(?:ing)? (?:that|this|the same) way\b|(?:这种|这个|那种|那个|这样的|那样的|这些|那些)(?:想法|念头|冲动|感觉)",
    re.IGNORECASE,
)
_BUT = re.compile(r"\b(?:but|though|although)\b\s*|但是?|不过|可是", re.IGNORECASE)
# words said before an answer ("Honestly, yes", "其实，有过")
_FILLER = re.compile(
    r"^(?:(?:(?:well|um+|uh+|erm+|hmm+|haha\w*|lol|honestly|to be honest|tbh|i mean|actually|truthfully|ok(?:ay)?|so|like|"
    r"i'?ll be honest|if i'?m honest)\b|其实|说实话|老实说|坦白说|说真的|怎么说呢|唉|哎|额|呃|哈哈+|我也|我)[\s,，.。…~!！?？]*)+",
    re.IGNORECASE,
)
# what an answer is when it says yes, fully: the first words after the fillers
_YES = re.compile(
    r"(?:yes+|yeah|yea|yep|yup|ya|yah|aye|uh[- ]?huh|mhm+|mm+[- ]?hmm+|sure|definitely|absolutely|of course|true|"
    r"correct|right|i (?:have|do|did|am|was|will|had|would|think so|think i (?:have|do|am|did))(?: been)?(?=$|[,.;:!…-]|\s+(?:yes|yeah|sometimes|often|before|lately|recently|a (?:few|couple)|once|twice|been|thought|considered))|"
    r"i(?:'ve| have) (?:thought|been thinking|considered|tried|done|felt|had)|it(?:'s| has) crossed my mind|"
    r"(?:once|twice)(?=$|[,.;:!…-]|\s+(?:or|last|this|before|a |in |when|, ))|more than once|once or twice|a few times|many times|lots of times|every (?:day|night|morning)|everyday|most days|"
    r"all the time|a lot|often|constantly|lately|recently|still)\b|"
    r"(?:是的?|对的?|嗯+|恩+|有的?|会的?|要)(?=$|[\s，,。.！!…~啊呀吧啦哈呢]|过|了)|想(?=$|[。.！!…~啊呀吧]|过)|"
    r"(?:有(?:想|考虑|试|做|打算|计划)过|有过|想过|打算过|试过|做过|割过|伤害过|计划过|准备好|没错|当然|是啊|对啊|"
    r"嗯呢|好几次|很多次|不止一次|几次|有几次|有一次|一次|两次)|"
    # how often, said of the question's act ("经常会", "最近又有了"), not of something else ("我最近在找工作")
    r"(?:经常|常常|时常|总是|一直|老是|每天|天天|最近|确实|的确)(?:都|也|又|还)?"
    r"(?=$|[\s，,。.！!…~啊呀吧]|会|想|有|这样|这么想|如此)"
)
# and when it says yes in part, or hedges: elevated, never imminent
_PARTLY = re.compile(
    r"(?:sometimes|some times|a little|a bit|kind of|kinda|sort of|sorta|maybe|perhaps|probably|i guess|i suppose|"
    r"occasionally|at times|now and then|every now and then|here and there|on and off|off and on|once in a while|"
    r"not (?:always|often|every day|all the time)|i don'?t know(?! (?:how|why|what|if|whether|where|when|who)\b)|idk|dunno|not sure|i'?m not sure|i can'?t say|"
    # a condition or a time says when, so yes ("When I'm alone at night.", "Only on bad days")
    r"(?:only |mostly |usually |especially |just )?(?:when|whenever|at night|after|on bad days|some nights|some days)|"
    # the person's own words for it, pointing back at the question ("I think about it sometimes", "I wanted to")
    r"i (?:do |still |sometimes |often |really |have |'ve |kind of |kinda )?(?:think|thought|feel|felt|want|wanted|wish|wished|"
    r"considered|consider|imagined?|pictured?)(?: about| of| like)? (?:it|that|this|so|doing it|them)|i wanted to)\b|"
    r"(?:偶尔|有时候?|有点|有一点|一点点|有些|算是|应该(?:有|是|会)|不知道(?!如何|怎么|该|为什么|怎样|为啥|什么)|说不清|说不好|不好说|不确定|看情况|"
    r"[^，。？！,.?!]{1,10}的时候(?:会|就会|偶尔|经常|有|想)|"
    # "maybe", said of the question's act ("可能有吧"), not of a cause ("可能是工作的原因")
    r"(?:可能|也许|或许|好像|大概)(?=$|[\s，,。.！!…~吧]|有|会|想|算|是吧|是的|是有))"
)
# a denial at the start ("No.", "Not really", "没有"); "not always" and "不止一次" are in _PARTLY and _YES
_NO = re.compile(
    r"(?:no+|nope|nah|never|not (?:really|at all|now|anymore|any more|since|lately|recently|that I know)|of course not|"
    r"god no|hell no|no way|none|nothing like that|i (?:don'?t|haven'?t|didn'?t|won'?t|wouldn'?t|'?m not|am not|wasn'?t|"
    r"have not|do not|did not|will not|never))\b|"
    r"(?:没|不(?!止)|从来|从没|从不|并没|并不|也没|倒没|还没|还好|别担心)"
)
# risk the answer puts in the past and says is over, unless it also says it is back
_OVER = re.compile(
    r"\b(?:not anymore|not any more|no longer|used to|years ago|in the past|a long time ago|when i was (?:younger|a kid|a teen\w*|little|in (?:school|college))|"
    r"i'?m (?:fine|ok|okay|better) now|not now)\b|以前|之前|过去|小时候|很久|(?:\d+|[一二两三四五六七八九十几]+)年前|上学的时候|现在(?:没|不)|已经(?:好|不)|不再",
    re.IGNORECASE,
)
_BACK = re.compile(r"\b(?:again|still|lately|recently|came back|coming back|these days|now and then)\b|又|还是会|最近|这几天|这段时间|现在也|现在还|偶尔还", re.IGNORECASE)
# fmt: on

# how many of the person's earlier messages show the risk a plan question asks about (as `screener.CONTEXT_TURNS`)
CONTEXT_TURNS = 3
# how much of an answer is read for a time or means it adds to its yes (characters)
ANSWER_HEAD = 300
# how long a message may be and still count as a short answer (characters; a Chinese character carries more)
SHORT = {"en": 60, "zh": 24}
_HAN = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class Question:
    """What an assistant turn asks about: the risk it names (`risk`: the lexicon's grade of the question read as
    the person's own words), its categories, whether it asks about a plan, means or time (`plan`), whether it
    asks if the person is safe (`safety`), and whether it asks only by a conditional (`conditional`)."""

    risk: str
    categories: list[str]
    plan: bool
    safety: bool
    text: str
    conditional: bool = False


def _first_person(question: str) -> str:
    for rx, to in _EN_PERSON:
        question = re.sub(rx, to, question, flags=re.IGNORECASE)
    for rx, to in _ZH_QUESTION_FORM:
        question = re.sub(rx, to, question)
    return question


_SENTENCE_END = re.compile(r"[.?!。？！\n]")


def _last_question(turn: str) -> str:
    """The part of an assistant turn that asks: the sentence of its last question and the one before it (a
    counselor reflects, then asks; "I hear you've thought about suicide. Do you have a plan?"), at most 400
    characters; what comes after it (a crisis message's resources) and reflections further back are not read."""
    turn = turn.strip()
    asks = list(_ASKS.finditer(turn))
    if not asks:
        return turn[-400:]
    end = _SENTENCE_END.search(turn, asks[-1].start())
    end = end.end() if end else len(turn)
    starts = [0] + [m.end() for m in _SENTENCE_END.finditer(turn, 0, asks[-1].start())]
    start = starts[-2] if len(starts) >= 2 else 0
    return turn[max(start, end - 400) : end].strip()


_CLAUSE_BREAK = re.compile(r"[,，;；:：.。!！?？\n]")
_THIRD = re.compile(r"\b(?:he|she|they|him|her|them|his|hers|their|himself|herself|themselves)\b|他|她", re.IGNORECASE)
_SECOND = re.compile(r"\b(?:you|your|yourself|u|ur)\b|你|您", re.IGNORECASE)


def _third_person(text: str, at: int) -> bool:
    """The clause that asks names someone else and not the person ("那么他有没有动手或者自残的行为？", "Did she
    ever try to kill herself?")."""
    a = max((m.end() for m in _CLAUSE_BREAK.finditer(text, 0, at)), default=0)
    m = _CLAUSE_BREAK.search(text, at + 1)
    clause = text[a : m.start() if m else len(text)]
    return bool(_THIRD.search(clause)) and not _SECOND.search(clause)


def question(asked: str | None) -> Question | None:
    """What `asked` (the assistant's turn) asks about, or None when it asks nothing about risk."""
    if not asked or not asked.strip():
        return None
    text = _last_question(asked)
    asks = list(_ASKS.finditer(text))
    if not asks:
        return None
    safety = bool(_SAFE_QUESTION.search(text))
    start = max((m.end() for m in _SENTENCE_END.finditer(text, 0, asks[-1].start())), default=0)
    if not _QUESTION.search(text):
        # a conditional asks about what it names itself ("If you have thoughts of hurting yourself, ..."), not about
        # what the sentence before it said ("自杀和自残并不能解决问题。如果你感觉无法和妈妈沟通，...")
        text, asks, start = text[start:], [], 0
    abuse = _ASKED_TOPICS["abuse"].search(text, start)
    if (_SOMEONE_ELSE.search(text, start) or _third_person(text, asks[-1].start() if asks else 0)) and not abuse:
        return Question("none", [], False, safety, text) if safety else None
    mine = _first_person(text)
    plain = without_idioms(text)  # "累死了吗" and "笑死" ask about nothing
    found = [c for c, rx in _ASKED_TOPICS.items() if rx.search(plain)]
    risk = "elevated" if found else "none"
    for reading in (mine, _NEGATORS.sub("", mine)):
        v, _ = scan(reading)
        found += [c for c in v.categories if c not in found]
        if LEVELS.index(v.risk) > LEVELS.index(risk):
            risk = v.risk
    if not set(found) & set(ELEVATED):
        return Question("none", [], bool(_PLAN_WORDS.search(text)), True, text) if safety else None
    # a method named is not yet a plan ("你有没有想过从楼上跳下去？" "想过" is elevated); a method sought, a plan or
    # a time is
    plan = bool(set(found) & {"method_request", "plan_made", "plan_cue"} or _PLAN_WORDS.search(text))
    return Question(risk, found, plan, safety, text, not _QUESTION.search(text))


def is_question(turn: str) -> bool:
    """Whether the turn's end asks a question, about anything (a conditional aside)."""
    return bool(_QUESTION.search(_last_question(turn)))


def _lang(text: str) -> str:
    return "zh" if _HAN.search(text) else "en"


def answer(text: str) -> str | None:
    """How a message answers a yes-or-no question: "yes", "partly", "no", or None when it is not shaped as an
    answer (a long message that starts with neither)."""
    t = _FILLER.sub("", text.strip()).strip()
    if not t:
        return None
    low = t.lower()
    # the answer's own first sentence says whether the risk is over ("是的，" then a story of childhood does not)
    first = _SENTENCE_END.split(low, maxsplit=1)[0][:60]
    if _OVER.search(first) and not _BACK.search(first):
        return "no"
    if _PARTLY.match(low):
        return "partly"
    if _NO.match(low):
        # "Not really, but sometimes", "没有，但偶尔会想": the denial takes itself back in part
        but = _BUT.search(low[:ANSWER_HEAD])
        if but:
            rest = _FILLER.sub("", low[but.end() : ANSWER_HEAD])
            if _PARTLY.match(rest) or _YES.match(rest):
                return "partly"
        return "no"
    if _YES.match(low):
        return "yes"
    if len(t) > SHORT[_lang(t)]:
        return None
    # a short answer that holds its yes later ("I think so, yes", "最近偶尔会"), with no denial in it
    for rx, kind in ((_PARTLY, "partly"), (_YES, "yes")):
        for m in re.finditer(r"(?<=[,，.。;；!！…])\s*\S", low):
            if rx.match(low, m.end() - 1):
                return kind
    return None


def answered(asked: str | None, text: str, context: Sequence[str] = ()) -> Verdict | None:
    """The verdict the question makes of the message: elevated or imminent when it affirms a risk question (or
    denies being safe), None otherwise. `context`: the person's earlier messages, oldest first; when the last few
    show risk, a question about a plan or a time ("Do you have a plan?") asks about that risk without naming it."""
    q = question(asked)
    if q is None and context and asked and _QUESTION.search(last := _last_question(asked)):
        # "Do you have a plan?", "Are you still having those thoughts?": about the risk the person already showed
        plan, back = bool(_PLAN_WORDS.search(last)), bool(_BACK_REFERENCE.search(last))
        if (plan or back) and scan(" \n".join(list(context)[-CONTEXT_TURNS:]))[0].flagged:
            q = Question("elevated", [], plan, False, last)
    if q is None:
        return None
    kind = answer(text)
    said = _FILLER.sub("", text.strip()).lower()  # the answer after its fillers
    if kind is None and _HOW_LONG.search(q.text) and _SPAN.match(said):
        kind = "yes"  # "已经有一年半了" after "这种情况持续了多久了？"
    if kind is None or (q.conditional and _ACKNOWLEDGES.match(said)):
        return None
    lang = _lang(text + q.text)
    if q.safety and q.risk == "none":
        # "Are you safe?" "No." / "不太安全" / "I don't know": the denial or the doubt is the risk; "No" to "Can you keep
        # yourself safe tonight?" is imminent
        if kind in ("no", "partly") and not _OVER.search(text[:ANSWER_HEAD].lower()):
            return _verdict("imminent" if kind == "no" and q.plan else "elevated", [], q, lang)
        return None
    if kind == "no":
        return None
    risk = "elevated"
    # a time or means the answer adds is said with its yes, near the start ("Yes, tonight"): only that much is read,
    # so a long message costs no second pass of the lexicon
    if kind == "yes" and (q.plan or cues(text[:ANSWER_HEAD]) & {"imminent_timing", "plan_or_means"}):
        risk = "imminent"
    return _verdict(risk, [c for c in q.categories if c in ELEVATED], q, lang)


def _verdict(risk: str, categories: list[str], q: Question, lang: str) -> Verdict:
    snippet = q.text if len(q.text) <= 120 else "…" + q.text[-119:]
    return Verdict(risk, categories + [CATEGORY], [f"answer to: {snippet}"], lang, STAGE)


def raise_by_answer(v: Verdict, asked: str | None, text: str, context: Sequence[str] = ()) -> Verdict:
    """`v`, or the answer's verdict (`answered`) when that is higher: a question can raise a verdict, never lower it."""
    if v.risk == "imminent" or not asked:
        return v
    by_answer = answered(asked, text, context)
    if by_answer is None or LEVELS.index(by_answer.risk) <= LEVELS.index(v.risk):
        return v
    by_answer.lang = v.lang
    return by_answer
