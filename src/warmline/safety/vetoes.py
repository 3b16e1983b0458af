"""The lexicon's vetoes: what cancels a risk phrase (a negation, the past, someone else, study, fiction, a joke,
an accident) and how far each reaches. `detect.scan` finds the phrases and asks these rules about each one.

Where a veto reaches. A message often tells several things: a friend's story, then the writer's own wish to die
("我朋友去年自杀了，我现在也不想活了"). Each rule reads only the words that govern its match, so what cancels one
phrase never cancels another phrase elsewhere in the message:
- a negation: the words just before the match, up to a clause break (`negated`); in Chinese only the words of a
  negated thought may stand between (从没想过, 不打算, 绝不会去); in English not past a negated knowing or telling
  before the writer's own clause ("My friends don't know I'm suicidal");
- the past: a past-time phrase in the match's part of the sentence, or in a part that only says when ("大学时，",
  "Back in college,", ", years ago"), with no present-time word between, or a next part saying it is over (", but
  that was twenty years ago") (`in_the_past`);
- someone else: another person named before the match as its subject, with no "I" / 我 after them (a person named as
  an object, an identity or an owner is not: 和男朋友分手后想死, 我是一个学生, 她的好; English: whoever was named last
  before the match in its part, not an object, nor a person the writer names as the object of their verb when the
  match is a second predicate: "I hate my stepdad and want to die") (`about_someone_else`);
- study, fiction, an accident or a joke: a context word in the match's part of the sentence (English: the people
  words and "asked whether" in its sentence, since English commas also set off "who is 16"; a goodbye reads its
  whole sentence: "再见了大家，我明天就去新公司上班了");
- idioms: blanked out where they stand (`lexicon.IDIOMS`, applied in `detect`).
Every rule reads at most SENTENCE_REACH characters each side of its match, so a paste with no sentence break costs
time linear in its length. `told_as_past` is not a veto: it keeps a phrase but says no time word makes it imminent.
Message-wide on purpose, and only ever lifting a veto: a word saying the past is back ("again", "lately", 又, 最近)
and "I wasn't joking" / 不是开玩笑. SAFE ("I'm safe") only keeps the classifier from overruling the writer. There
is no veto for hypotheticals beyond "asked (me) whether": "if I killed myself" is read as risk."""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache

# fmt: off
# an English negator, and the negation: a negator at most four words before a match
_NEGATOR = re.compile(r"\b(?:never|not|no (?:thoughts?|intentions?|plans?|desire|urges?|wish) (?:of|to)|wouldn'?t|won'?t|"
                      r"don'?t|didn'?t|haven'?t|hasn'?t|hadn'?t|no longer|isn'?t|aren'?t)\b", re.IGNORECASE)
NEGATION = {
    "en": re.compile(_NEGATOR.pattern + r"(?:\W+\w+){0,4}\W*$", re.IGNORECASE),
    # 没人 / 没有人 ("nobody": "趁家里没人我就上吊") is not a negation of what follows, nor 没有由来 ("for no
    # reason"), the questions 是不是 and 有没有 ("有没有不疼的自杀方法") or "不是我第一次自杀"; between the negator
    # and the match only words a negated thought has (想过, 打算, 敢...): "没有朋友想死" is not "没有...想死"
    "zh": re.compile(r"(?:(?:不会|(?<!有)没有(?!人|由来|来由|原因|缘由)|(?<!有)没(?!人|有人|有由来|由来|来由|有原因|有缘由)|从没|从不|从来没|并不|"
                     r"(?<!是)不是(?![^，。！？]{0,4}第一次)|不再|绝不|不打算|不准备)"
                     r"(?:有|想过|想|要|去|会|打算|准备|敢|再|真的|真正|过|曾经?|考虑过?|任何|什么|这种|这样的?|那样的?|丝毫|半点|产生过?|动过|起过)*"
                     r"|不想|不)\Z"),
}
# phrases that carry their own negation and must never be cancelled
SELF_NEGATING = re.compile(r"don'?t want to|reasons? not to|的理由|不想|活不下去|没意思|never want|never wake|not to wake|never born|dying,? i mean|"
                           r"never come back|can'?t go on|not worth|care (?:if|whether)|whether i live|don'?t deserve|don'?t know how|"
                           r"(?:won'?t|will not|doesn'?t|does not) stop|不要|不愿|醒|没(?:有)?(?:什么)?(?:必要|理由|意义|动力)|不如|不配|不该|不应该|"
                           r"忍着不|没(?:有)?(?:跳下去|敢跳|下得去手)|不疼|不痛|无痛|不会被|不被|不能被|不在了", re.IGNORECASE)
# a clause about someone else, study, fiction, a joke, an accident or the past is not a disclosure of risk
# the people an English message talks about
_EN_PEOPLE = (r"(?:step-?|ex-?)?(?:friend|brother|sister|son|daughter|mom|mother|dad|father|parent|partner|student|client|patient|"
              r"mate|buddy|pal|roommate|flatmate|coworker|co-worker|colleague|classmate|cousin|aunt|uncle|neighbou?r|"
              r"husband|wife|boyfriend|girlfriend|grandma|grandpa|grandmother|grandfather|fianc[eé]e?|niece|nephew|relative|"
              r"sibling|child|children|kid|stepdaughter|stepson|stepdad|stepmom)s?")
CONTEXT = {
    "en": re.compile(r"\b(?:(?:my|his|her|their|our) (?:(?:best|close|old|oldest|birth|adopted|high school) )?" + _EN_PEOPLE + r"|"
                     r"(?:lost|losing|loss of) (?:a|my|our|his|her|someone|somebody)|"
                     r"how (?:do|can|should) i (?:support|help|talk to|respond to) (?:him|her|them)|"
                     r"(?:he|she|they) (?:feels?|is|are|said|told|joked)|a teenager|teenagers|essay|policy|prevention|"
                     r"documentary|training|assessment|novel|character|movie|film|game|concept|toxicology|class|course|module|"
                     r"lecture|thing to say|(?:at|aged?) [6-9]\d\b|in my (?:sixties|seventies|eighties|nineties)|warning signs|joked|joking|while cooking|by accident|accidentally|scratch|"
                     r"asked (?:me )?(?:whether|if)|and i said no|(?:someone|a (?:customer|patient|client|caller)) asked)\b", re.IGNORECASE),
    # other people in Chinese: _ZH_PEOPLE, read within the part of the sentence before a match; a film or a game
    # only as where the phrase happens (电影里, 游戏的), not as what the writer did ("看了电影还是想死"), nor 研究生;
    # homework as a topic (课程作业, 关于…的作业), not as a load ("作业太多了想死")
    "zh": re.compile(r"论文|回忆录|读书会|预防|研究(?!生|所|院)|小说|电影(?:里|中|的|讲|情节)|游戏(?:里|中|的|角色|情节)|主人公|课上|攀岩|蹦极|跳绳|政策|简报|过滤|机器人|研讨|(?:课|的|程)作业|作业(?:[：:]|写的是|是关于|的?题目)|翻译|术语|准则|报道|"
                     r"课程|评估|信号|概念|开玩笑|不小心|新公司|上班|搬家|毕业|播客|讨论|培训|"
                     r"电视剧|[美韩日]剧|(?:部|个)剧|剧(?:里|中)|主角|动漫|漫画|讲座|报告|撰写|流行病学"),
}
FIRST_PERSON = {"en": re.compile(r"\b(?:i|i'm|im|i've|i'd|me|my life|myself|we|we're|we've|us)\b", re.IGNORECASE),
                "zh": re.compile(r"我(?!朋友|同学|弟弟|妹妹|哥哥|姐姐|孩子|妈|爸|室友|同事|邻居|亲戚|闺蜜|好友|舍友|同桌|老公|老婆|男朋友|女朋友|丈夫|妻子)")}
_CLAUSE = re.compile(r"[^.!?;。！？；\n]+")
# fmt: on


# A long message holds many matches and each asks for its sentence and for what the whole message says: both are
# worked out once per message (a 100 KB paste of "I used to cut myself." took minutes when each match re-read it).
@lru_cache(maxsize=8)
def _sentences(text: str) -> tuple[list[int], list[tuple[int, int]]]:
    spans = [m.span() for m in _CLAUSE.finditer(text)]
    return [a for a, _ in spans], spans


@lru_cache(maxsize=32)
def _anywhere(what: str, key: str, text: str) -> bool:
    """Whether the message says anywhere that the past is back ("recent") or that it was no joke ("joking")."""
    return bool((_RECENT if what == "recent" else _NOT_JOKING)[key].search(text))


# how far from a match its sentence is read, each way (characters): a paste with no sentence break is one "sentence",
# and every match reading all of it made the scan quadratic (14,000 characters of "I want to die " took 18 s)
SENTENCE_REACH = 500


def clause_span(text: str, pos: int) -> tuple[int, int]:
    """The sentence (clause up to . ! ? ; or a new line) around pos, at most SENTENCE_REACH characters each side
    of it; at a sentence break, the sentence after it (a match may begin with the break: ". The rope is up"), never
    the whole message."""
    starts, spans = _sentences(text)
    i = bisect_right(starts, pos) - 1
    if i >= 0 and pos < spans[i][1]:
        a, b = spans[i]
    elif i + 1 < len(spans):
        a, b = spans[i + 1]
    else:
        a, b = spans[-1] if spans else (pos, pos)
    return max(a, pos - SENTENCE_REACH), min(b, max(a, pos) + SENTENCE_REACH)


# a break between parts of a sentence: commas, colons, dashes, and a contrast ("but", 但是) that starts a new point
_PART_BREAK = re.compile(
    r"[,，、:：()（）]|\s[-–—]+\s|[—–]|\b(?:but|however|though)\b|但是|可是|(?<!不)但(?!愿)|不过", re.IGNORECASE
)
# what a part may hold besides its time phrase and still only say when ("在我上大学的时候", "A few years ago")
_TIME_ONLY = {"en": 2, "zh": 4}
_FILLER = re.compile(r"[\W_]+")


def _broken(text: str, a: int, b: int) -> bool:
    """A part break lies between positions a and b."""
    return bool(_PART_BREAK.search(text, a, b))


def _only_when(key: str, text: str, m: re.Match) -> bool:
    """The part of the sentence that holds the time phrase m says nothing else: "大学时，", "Back in college,"
    ("used to" is a verb: it always says something else)."""
    if m.group(0).lower() == "used to":
        return False
    start, end = clause_span(text, m.start())
    a = max((x.end() for x in _PART_BREAK.finditer(text, start, m.start())), default=start)
    nxt = _PART_BREAK.search(text, m.end(), end)
    b = nxt.start() if nxt else end
    rest = _FILLER.sub(" ", text[a : m.start()] + " " + text[m.end() : b]).strip()
    size = len(rest.split()) if key == "en" else len(rest.replace(" ", ""))
    return size <= _TIME_ONLY[key]


_TOPIC = re.compile(r"suicid(?:e|al)|self[- ]harm\w*", re.IGNORECASE)
_PREDICATIVE = re.compile(
    r"\b(?:feel|feels|feeling|felt|am|i'm|im|was|been|being|get|getting|become|becoming)\s+"
    r"(?:(?:so|very|really|quite|pretty|kind of|kinda|a bit)\s+)?$",
    re.IGNORECASE,
)
_STUDY = re.compile(
    r"\b(?:thesis|dissertation|research|studying|statistics|rates?|essay|paper|course|exam|lecture|"
    r"homework|textbook|psychology|criminology|sociology|module|ideation|definition|difference between|book|memoir|podcast|"
    r"article|documentary|film|movie|series|episode|barriers?|hotline|awareness|loss|bereavement|survivors|support (?:people|someone|others|families|survivors)|chatbot|filter|phrases|"
    r"policy|brief|report|translat\w+|terminology|counsel+ors?|trainee|training|assess(?:ing|ment)?\s+(?:[\w-]+\s+)?risks?|risk assessments?|"
    r"ask(?:ing)? (?:someone|people|a person)(?: directly)?|how (?:do|should|can|would) (?:you|we) ask)\b",
    re.IGNORECASE,
)

_ZH_SEGMENT = re.compile(r"[^，,、；;。！？!?\n]*$")  # the part of the sentence before a match, from the last comma
_ZH_PART = re.compile(r"[^，,、；;。！？!?\n]*")  # and after it, to the next comma
_ZH_TAIL = re.compile(r"[^;；。！？!?\n]*")  # or to the end of the sentence
_ZH_PEOPLE = re.compile(
    r"朋友|哥们|女生|男生|青少年|同学|弟弟|妹妹|哥哥|姐姐|孩子|学生|来访者|病人|室友|同事|闺蜜|好友|舍友|同桌|老公|老婆|男朋友|"
    r"女朋友|丈夫|妻子|表哥|表姐|表弟|表妹|堂哥|堂姐|邻居|亲戚|他|她|(?<=我)[姐哥弟妹](?![姐哥弟妹])"
)
_ZH_DESCRIBES = re.compile(
    r"(?:倾向|念头|想法|行为|经历)?的?(?:女生|男生|女孩|男孩|朋友|同学|人(?!生)|学生|孩子|青少年|患者|病人)(?!(?:就)?是我)"
)
_ZH_TOPIC = re.compile(
    r"率|预防|干预|统计|现象|研究|者|遗属|死亡|风险(?:表达|评估|因素|识别)|意念的(?:区别|定义|概念|分类)"
)
# a period of the speaker's past; _RECENT anywhere in the message says it is not over ("again", "最近", "又")
_PAST = {
    "en": re.compile(
        r"\b(?:used to|years ago|in (?:college|high school|middle school|university|my teens|my twenties)|at (?:uni|university|college|boarding school)|"
        r"as a (?:teen(?:ager)?|kid|child|student)|when i was (?:younger|little|a (?:kid|teen(?:ager)?|child|"
        r"student)|in (?:college|school|high school)|\d+|(?:thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty)\w*)|at (?:the )?age (?:of )?\d+|at \d+ and survived)\b",
        re.IGNORECASE,
    ),
    # 小时候 (childhood), never 小时 ("一个小时前": an hour ago)
    "zh": re.compile(
        r"以前|当时|那时候?|好几年没有|(?:很|好)?多年前|(?:\d+|[一二两三四五六七八九十几]+)年前|(?:\d+|[一二两三四五六七八九十几]+)多?岁(?:时|的时候|那年|那会儿?)|(?:大学|高中|初中|中学|十几岁)(?:时|的时候|那会儿?)|小时候|读书的时候"
    ),
}
# the next part of the sentence says that what came before is over: "..., but that was twenty years ago"
_OVER = {
    "en": re.compile(
        r"\b(?:that|it|this|all that)(?: was|'s| is| has been)(?: all)? (?:over|behind me|in the past|long ago|a long time ago|"
        r"(?:\w+ ){0,2}years ago)\b",
        re.IGNORECASE,
    ),
    "zh": re.compile(r"(?:那|这)(?:些|个)?(?:都|已经)?(?:是|已经是)?.{0,8}(?:以前|过去|很久以前|多年前|几年前)的事"),
}
# "I wasn't joking", "其实不是": a joke or other context said before it no longer cancels the match
_NOT_JOKING = {
    "en": re.compile(r"\b(?:i wasn'?t|wasn'?t (?:really )?joking|not (?:really )?joking|i meant it)\b", re.IGNORECASE),
    "zh": re.compile(r"其实不是|其实没(?:有)?开玩笑|(?<!是)不是开玩笑|(?<!是不)是认真的|我是说真的"),
}
# the person says they are safe: the classifier does not overrule that (the lexicon still reads every phrase)
SAFE = {
    "en": re.compile(
        r"(?<!if )(?<!whether )\bi'?m (?:safe|not in (?:any )?danger|not suicidal)\b|"
        r"\bi(?:'d| would) never act on (?:it|them|these thoughts)\b|\bnot (?:going to|gonna) act on (?:it|them)\b",
        re.IGNORECASE,
    ),
    "zh": re.compile(r"我(?:很|是|现在)?安全|我没有(?:生命)?危险|(?:绝|也)?不会付诸行动|不会做傻事"),
}
_RECENT = {
    "en": re.compile(
        r"\b(?:again|still(?! (?:think|thinking|remember|remembering|dream|dreaming) (?:about|of)\b)|lately|recently|(?:is|are|has|have|came|coming) back|"
        r"started to|starting to)\b",
        re.IGNORECASE,
    ),
    "zh": re.compile(r"又|还是|最近|重新|再次|回来了"),
}
# a present-time word between a past one and the match ends the past: "以前还可以承受，现在...想过很多次自杀"
_PRESENT = {
    "en": re.compile(
        r"\b(?:now|nowadays|these days|currently|today|tonight|still|this (?:week|month|year))\b", re.IGNORECASE
    ),
    "zh": re.compile(r"现在|如今|目前|这几天|这段时间|这阵子|这两天|今天|今晚|今年"),
}
# a person named in a role other than the subject: "和男朋友分手后想死", "被他打了", "我是一个学生", "其他"
_ZH_NOT_SUBJECT = re.compile(
    r"(?:[和跟与被对给替帮陪把向同爱恨怕骂嫁娶等]|离了|离开了?|没有|没了|失去了?|离不开|想念|喜欢|讨厌|看到|看见|遇到|认识|"
    r"是(?:一)?[个名位]?|作为(?:一)?[个名位]?|其|吉)$"
)
_EN_REACH = 60
_EN_OTHERS = re.compile(
    r"\b(?:he|she|they|his|her|their|hes|he'?s|she'?s|they'?re|they'?ve|" + _EN_PEOPLE + r")\b", re.IGNORECASE
)
# another person as the subject of the match's part of the sentence, after any "I": "He subsequently overdosed",
# "she has also been suicidal before", "The birth mother attempted suicide" (not an object: "without my wife")
_EN_SUBJECT = re.compile(
    r"(?<!without )(?<!with )(?<!for )(?<!to )(?<!from )(?<!about )(?<!of )(?<!since )(?<!after )(?<!than )(?<!like )"
    r"\b(?:he|she|they|hes|he'?s|she'?s|they'?re|they'?ve|(?:my|his|her|their|the) (?:\w+ )?" + _EN_PEOPLE + r")\b",
    re.IGNORECASE,
)
# English context words that reach the whole sentence (the rest reach only the match's part)
_EN_WIDE = re.compile(
    r"(?:my|his|her|their|our|lost|losing|loss|how|he|she|they|teenagers|a teenager|asked|and i said|someone|a customer|a patient|"
    r"a client|a caller)\b",
    re.IGNORECASE,
)
_EN_ASKED = re.compile(
    r"whether|said no|(?:at|aged?) [6-9]\d\b|in my (?:sixties|seventies|eighties|nineties)|"
    r"(?:someone|customer|patient|client|caller) asked",
    re.IGNORECASE,
)
# a yes right after the question someone asked: "My therapist asked whether I want to kill myself. I do."
_EN_YES = re.compile(
    r"\W{0,3}(?:and |but )?(?:i (?:said|told (?:him|her|them)) yes|yes|yeah|i do|i am|i have|i did|the answer is yes)\b",
    re.IGNORECASE,
)
_EN_NEAR = re.compile(r"cooking|accident|scratch|training|essay|thing to say", re.IGNORECASE)
# where a relative clause ("who I love") ends
_RELATIVE_END = re.compile(r"[,;]|\b(?:why|that|how|if|because|when|and|but)\b", re.IGNORECASE)
# the speaker as a subject ("I", "I'm", "we"; not "me", "my")
_EN_I = re.compile(r"\b(?:i|i'm|im|i've|i'd|i'll|we|we're|we've)\b", re.IGNORECASE)
# what may stand between a person named and the match when the match is a second predicate of the same subject:
# "I hate my stepdad and want to die", "I lost my job and my girlfriend and want to end it all"
_EN_LIST = 200  # the longest list of things named between the person and the match (characters)
_EN_COORDINATED = re.compile(
    # (each listed item: one to three words that are not a conjunction, so the list is read one way only: a
    # pattern that could split "and my dog and my dog" several ways took seconds on twenty items)
    r"(?:\s*(?:,|\band|\bor)\s+(?:(?!(?:and|or|but|so|yet)\b)\w+ ){0,2}(?!(?:and|or|but|so|yet)\b)\w+)*"
    r"\s*,?\s*\b(?:and|but|or|so|yet)\s+"
    r"(?:(?:just|really|honestly|still|then|now|also|sometimes|often|kind of|kinda|only|even|literally)\s+)*"
    r"(?:(?:want|wanna|feel|feeling|am|keep|think|wish|need)\b\s*(?:like\s+)?(?:to\s+)?)?",
    re.IGNORECASE,
)
# Chinese is often written without commas: what says who or what a match is about is read this far before it
_ZH_REACH = 20


def in_the_past(key: str, text: str, start: int, recent: bool = True) -> bool:
    """A period of the speaker's past is named in the match's sentence ("I used to self-harm", "大学时有过自杀的
    念头"), no present-time word comes between it and the match, and (with `recent`) nothing in the message says
    it is back."""
    if recent and _anywhere("recent", key, text):
        return False
    a, b = clause_span(text, start)
    nxt = _PART_BREAK.search(text, start + 1, b)
    if nxt and _OVER[key].search(text, nxt.end(), b):
        return True
    for m in _PAST[key].finditer(text, a, b):
        if m.start() >= start:  # after the match: "I cut myself when I was 15", "我想死，那时候..." / ", years ago"
            # (the match may hold a comma itself: read from its first character)
            if not _broken(text, start + 1, m.start()) or _only_when(key, text, m):
                return True
        elif not _PRESENT[key].search(text, m.end(), start) and (
            not _broken(text, m.end(), start) or _only_when(key, text, m)
        ):
            return True
    return False


# a wish, a thought or a plan told as past ("I wanted to", "felt like", 曾经, 那时候): it may still be risk, but it
# says nothing of when the person will act, so neither a time word near it nor its own "after X" makes it imminent
_TOLD_PAST = {
    "en": re.compile(
        r"\b(?:wanted|wished|used to|felt like|thought (?:about|of)|(?:was|were) (?:thinking|planning) (?:about|of|on)?|"
        r"had (?:thoughts|the urge|wanted|planned))\b(?:\W+\w+){0,3}\W*\Z",
        re.IGNORECASE,
    ),
    "zh": re.compile(r"以前|之前|当时|那时候?|那会儿?|曾经|那次|那年|(?:\d+|[一二两三四五六七八九十几]+)年前"),
}


# a past time named before the phrase in its part: "Back in 2019 I planned to kill myself after work"
_EN_PAST_TIME = re.compile(
    r"\b(?:last (?:year|month|summer|winter|spring|autumn|fall)|back in|in (?:19|20)\d\d|years ago|back then)\b",
    re.IGNORECASE,
)


def told_as_past(key: str, text: str, start: int, end: int) -> bool:
    """The match is told as the speaker's past: a past verb of wishing or thinking governs it in its part of the
    sentence ("After my dad left, I wanted to kill myself"), or (Chinese) a past time is named before it in its
    part with no present-time word between ("我曾经想过等他们睡着后就去死")."""
    a, _ = clause_span(text, start)
    pa = max((x.end() for x in _PART_BREAK.finditer(text, a, start)), default=a)
    if key == "en":
        said = re.match(r"\W*(?:wanted|wished)\b", text[start:end], re.IGNORECASE)  # "wanted to die"
        part = text[max(pa, start - _EN_REACH) : start]
        return bool(said or _TOLD_PAST["en"].search(part) or _EN_PAST_TIME.search(part))
    lead = _ZH_SEGMENT.search(text, max(0, start - _ZH_REACH), start).group(0)
    past = list(_TOLD_PAST["zh"].finditer(lead))
    return bool(past) and not _PRESENT["zh"].search(lead, past[-1].end())


def about_someone_else(key: str, text: str, start: int, end: int, goodbye: bool = False) -> bool:
    """The match sits in a sentence about another person, study, fiction, a joke, an accident or the past,
    and the words just before it are not the speaker's own ("I", "我"). The context comes from outside the
    match: "伤害我的孩子" is not about someone else because it names a child. `goodbye`: the match is a farewell,
    which the rest of its sentence explains."""
    if key == "en":
        return _english_other(text, start, end)
    return _chinese_other(text, start, end, goodbye)


def _chinese_other(text: str, start: int, end: int, goodbye: bool) -> bool:
    if text[start:end] == "自杀" and _ZH_TOPIC.match(text, end):
        return True  # "自杀率", "自杀预防", "被动自杀意念的区别": the subject, not the speaker
    if _ZH_DESCRIBES.match(text, end) and not re.search(r"(?:我|自己)(?:就)?是", text[max(0, start - 8) : start]):
        return True  # "纠缠有自杀倾向的女生": the phrase describes another person ("我是一个有自杀倾向的人" is the speaker)
    # "我闺蜜说她有轻生的念头", "她从跳台上跳下去": another person comes before the match in this part of the
    # sentence and 我 does not come after them. Only this part: Chinese drops the subject, so in
    # "他走了，不想活了" the second part is the speaker's own, and "等室友出门" after a match says nothing of it.
    # (A person named as an object, an identity or an owner is not the subject: "和男朋友分手后想死",
    # "我离了他就觉得活不下去", "我是一个学生", "看不到她的好想死"; "把老婆的安眠药囤起来": the means are hers,
    # the act is the speaker's.)
    lead = _ZH_SEGMENT.search(text, max(0, start - _ZH_REACH), start).group(0)
    people = [
        m
        for m in _ZH_PEOPLE.finditer(lead)
        if not _ZH_NOT_SUBJECT.search(lead, 0, m.start()) and not lead.startswith("的", m.end())
    ]
    if people and not FIRST_PERSON["zh"].search(lead, people[-1].end()):
        return True
    if in_the_past("zh", text, start):
        return True
    # the context must be in the match's own part of the sentence, not in a part before or after it: in
    # "我参加了培训，还是想自杀", "每天上班等地铁的时候，我都会想象自己跳下去" and "每天都想自杀，作业好多" the
    # risk is the speaker's own; a goodbye is explained by what follows it: "再见了大家，我明天就去新公司上班了"
    reach = min(len(text), end + SENTENCE_REACH)
    near = lead + text[start:end] + _ZH_PART.match(text, end, reach).group(0)
    clause = lead + text[start:end] + _ZH_TAIL.match(text, end, reach).group(0) if goodbye else near
    if not CONTEXT["zh"].search(clause) or _anywhere("joking", "zh", text):
        return False
    before = text[max(0, start - 6) : start]
    return (
        not FIRST_PERSON["zh"].search(before)
        or bool(re.search(r"(?:他|她)们?的$", before))
        or bool(re.search(r"新公司|上班|搬家|毕业|不小心|开玩笑", near))
    )


def _object_of_mine(text: str, sentence: int, person: re.Match, start: int) -> bool:
    """The person is named after the speaker's "I" in this sentence, and the match is a second predicate joined to that
    clause ("I hate my stepdad and want to die", "I love my kids but want to die"): the subject is the speaker, the
    person the object of their verb."""
    if start - person.end() > _EN_LIST:
        return False
    return bool(_EN_I.search(text, sentence, person.start())) and bool(
        _EN_COORDINATED.fullmatch(text, person.end(), start)
    )


def _english_other(text: str, start: int, end: int) -> bool:
    a, b = clause_span(text, start)
    clause = text[a:start] + " " * (end - start) + text[end:b]  # the sentence, the match blanked out
    before = text[max(0, start - 30) : start]
    # study words cancel a topic word ("studying suicide rates"), never a first-person phrase ("researching
    # ways to kill myself") or a feeling ("I feel suicidal")
    if _TOPIC.fullmatch(text[start:end]) and _STUDY.search(clause) and not _PREDICATIVE.search(before):
        return True
    names_me = re.search(r"\b(?:i|me|myself)\b", text[start:end], re.IGNORECASE)  # "my kids are better off without me"
    pa = max((x.end() for x in _PART_BREAK.finditer(text, a, start)), default=a)
    subjects = [m for m in _EN_SUBJECT.finditer(text, pa, start) if not _object_of_mine(text, a, m, start)]
    if subjects and not names_me and not FIRST_PERSON["en"].search(text, subjects[-1].end(), start):
        return True
    if in_the_past("en", text, start):
        return True
    # people and "asked whether" anywhere in the sentence ("My friend, who is 16, is suicidal"), other context
    # words only in the match's part ("Failed another class today, honestly want to die")
    nxt = _PART_BREAK.search(text, end, b)
    part = (pa, nxt.start() if nxt else b)
    hit = any(_EN_WIDE.match(m.group(0)) or part[0] <= a + m.start() < part[1] for m in CONTEXT["en"].finditer(clause))
    if not hit or _anywhere("joking", "en", text):
        return False
    # "a voice tells me to hurt my roommate": a match that names the speaker is the speaker's own
    own = FIRST_PERSON["en"].search(before) or re.search(r"\b(?:i|me)\b", text[start:end], re.I)
    # the subject is whoever was named last before the match: "since he left I want to die" is the speaker's,
    # "I think my friend is suicidal" is not (read back to the sentence's start, at most _EN_REACH characters:
    # "I can joke with my friends, but I've been starting to think that life is pointless")
    reach = max(a, start - _EN_REACH)
    before = text[reach:start]
    own = own or FIRST_PERSON["en"].search(before)
    # the writer named further back, with a list of what they name between ("I hate my mom and my dad and my sister
    # and my job and want to die"): the phrase is the writer's second predicate
    own = own or any(
        _object_of_mine(text, a, m, start) for m in _EN_OTHERS.finditer(text, max(a, start - _EN_LIST), start)
    )
    others = [
        m.end() - reach for m in _EN_OTHERS.finditer(text, reach, start) if not _object_of_mine(text, a, m, start)
    ]
    last_own = max((m.end() for m in FIRST_PERSON["en"].finditer(before)), default=-1)
    who = re.search(r"\bwhom?\b", before[others[-1] :], re.IGNORECASE) if others else None
    if who:
        # "my friend who I love is suicidal": the "I" is inside a clause about the friend, unless it comes after
        # that clause ends ("My mom, who I love, doesn't get why I want to die")
        closes = _RELATIVE_END.search(before, others[-1] + who.end())
        if not closes or last_own <= closes.end():
            last_own = -1
    return (
        not own
        or (bool(others) and others[-1] > last_own and not names_me)
        or (bool(_EN_ASKED.search(clause)) and not _EN_YES.match(text, end))
        or bool(_EN_NEAR.search(text[part[0] : part[1]]))
    )


# a negation does not reach past a clause break: "I don't know why, but I want to die", "I'm not ok - I want to
# die" and a new line are not negated
_BREAK = re.compile(
    r"[,;:.!?()\n\u2026，。；：！？]|\s[-–—]+\s|[—–]|\b(?:but|and|so|yet|because|though|although|however)\b",
    re.IGNORECASE,
)


# a negated verb of knowing or telling followed by the speaker's own clause: "My friends don't know I'm suicidal",
# "I didn't tell anyone I want to die" negate the knowing, not the risk ("I don't think I want to die" stays negated)
_NOT_KNOWING = re.compile(
    r"\b(?:know|knows|knew|realize|realise|notice|noticed|see|understand|get|tell|told)\b"
    r"(?:\W+(?:anyone|anybody|anything|them|him|her|you|my \w+))?\W+(?:that\W+|why\W+)?(?:i|i'm|im|i've|i'd)\b",
    re.IGNORECASE,
)


def negated(key: str, before: str) -> bool:
    """A negation ends the text just before a match, with no clause break between it and the match."""
    if key == "zh":  # the Chinese pattern already stops at punctuation
        return bool(NEGATION[key].search(before))
    return any(
        NEGATION[key].match(before, m.start())
        and not _BREAK.search(before, m.start())
        and not _NOT_KNOWING.search(before, m.end())
        for m in _NEGATOR.finditer(before)
    )
