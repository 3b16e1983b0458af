"""The reply screen's vocabulary: its categories, the words its rules are built from, and the vetoes read
before a match (negations, hedges, reflections, help lines) or after it (what makes the advice a warning). The
rules themselves are in `reply_rules`."""

from __future__ import annotations

import re
from dataclasses import dataclass

CATEGORIES = (
    "method_details",
    "medication_dosing",
    "diagnosis",
    "encouraging_harm",
    "shaming",
    "stopping_medication",
    "eating_disorder",
)
SENTENCE_END = ".!?;\n。！？；"
CLAUSE_END = ",:—–，、："


@dataclass(frozen=True)
class Rule:
    category: str
    rx: re.Pattern
    near: re.Pattern | None = None  # in the match's clause, before it
    far: re.Pattern | None = None  # in the match's sentence, before it
    after: re.Pattern | None = None  # in the rest of the match's sentence
    quotes: bool = False  # not inside a quotation
    gate: re.Pattern | None = None  # unused by default; a whole-text condition breaks streaming


WORDS = {
    "NUMQ": r"<NUM>(?:\s*(?:or|to|-)\s*<NUM>)?(?:\s+(?:of|the|your|those|these|extra|more|grams?|g|mg|milligrams?))*\s+<SUBST>\b",
    "NUM": r"(?:\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|"
    r"fifty|sixty|a hundred|hundred|half a dozen|a dozen|dozen|a couple(?: of)?|couple of|a few|a handful(?: of)?|several)",
    "SUBST": r"(?:xanax|alprazolam|valium|diazepam|klonopin|clonazepam|ativan|lorazepam|zopiclone|zolpidem|ambien|trazodone|"
    r"benadryl|diphenhydramine|melatonin|sertraline|zoloft|prozac|fluoxetine|lexapro|escitalopram|citalopram|paroxetine|"
    r"paxil|venlafaxine|effexor|seroquel|quetiapine|olanzapine|lithium|abilify|aripiprazole|tylenol|paracetamol|"
    r"acetaminophen|ibuprofen|advil|aspirin|codeine|oxycodone|tramadol|morphine|adderall|ritalin|insulin|benzos?|"
    r"opioids?|sleeping (?:pills?|tablets?)|sleep aids?|painkillers?|pills?|tablets?|capsules?|gummies)",
    "MEDS": r"(?:meds|medications?|medicines?|pills|tablets|antidepressants?|anti-depressants?|antipsychotics?|"
    r"anti-psychotics?|mood stabili[sz]ers?|ssris?|snris?|prescriptions?|psychiatric (?:drugs|medications?)|psych meds|"
    r"lithium|zoloft|sertraline|prozac|fluoxetine|lexapro|escitalopram|citalopram|celexa|paxil|paroxetine|effexor|"
    r"venlafaxine|wellbutrin|bupropion|cymbalta|duloxetine|abilify|aripiprazole|seroquel|quetiapine|zyprexa|olanzapine|"
    r"risperdal|risperidone|lamictal|lamotrigine|depakote|clozapine|adderall|ritalin|xanax|klonopin|ativan|valium|"
    r"benzos?|insulin|doses?|dosage)",
    "MEANS": r"(?:bridges?|roofs?|rooftops?|(?:tall|high|top of (?:the|a|your)|roof of (?:the|a|your)|from (?:the|a|your)) buildings?|(?:\d+|ten|twelve|twenty|five|six|seven|eight|nine) (?:floors?|stor(?:e)?ys)|"
    r"cliffs?|balcon(?:y|ies)|ledges?|parking (?:garage|structure)|car park|towers?|a fall|falls|jump(?:s|ing)?|"
    r"trains?|train line|tracks|railway|subway|guns?|firearms?|pistol|rifle|shotgun|bullets?|razors?|blades?|knife|"
    r"knives|wrists?|veins?|arter(?:y|ies)|ropes?|noose|knot|ligature|hanging|overdos(?:e|es|ing)|sleeping (?:pills|tablets)|"
    r"pills|tablets|insulin|charcoal|carbon monoxide|exhaust|helium|plastic bag|antifreeze|bleach|pesticides?|poison|"
    r"drown(?:ing)?)",
    "LETHAL": r"(?:(?:don'?t|do not|doesn'?t|won'?t|never|rarely|seldom|can'?t|cannot|not|almost never) survive|survivable|"
    r"(?:no )?chance of surviving|(?:is|are|'s) (?:more than |plenty |easily |definitely )?enough\b|kills? (?:you|people|them)|(?:you|people)(?:'d| would| will)? die|bleeds? out|"
    r"bleed to death|lose consciousness|pass out within|stop (?:your|the) heart|within (?:a few |a |\d+ )?(?:minutes?|seconds)|"
    r"in minutes|instant(?:ly)?|painless(?:ly)?|doesn'?t hurt|won'?t hurt|without pain|(?:most )?reliable|surest|"
    r"most effective|quickest|fastest|gentlest|quietest|quieter|cleanest|(?:is|are|be|it'?s|usually|very|over|so|pretty) "
    r"quick(?:ly)?|high enough|deep enough|tall enough|strong enough|enough to (?:kill|die|do it|end it)|does the (?:job|trick)|"
    r"do the job|works? (?:best|every time)|hard to (?:treat|save|reverse)|can'?t be (?:saved|reversed|treated)|"
    r"no one (?:will|would|can) (?:find|save|stop|reach)|nobody (?:will|would|can) (?:find|save|stop)|nobody checks|"
    r"pull you out|never wake up|can'?t stop in time|doesn'?t (?:slow|stop)|won'?t stop|no barriers|no railings?|"
    r"(?:most|always|almost always|usually|often|would be|will be|is|are) (?:lethal|fatal|deadly)|what makes it (?:deadly|lethal|fatal))",
    "COND": r"(?:(?:clinical |major |severe |chronic |manic |postpartum )?depression|(?:major )?depressive disorder|"
    r"bipolar(?: disorder| (?:i|ii|1|2|one|two)\b| type \w+)?|manic depression|schizo(?:phrenia|affective disorder)|psychosis|"
    r"(?:a )?psychotic disorder|c-?ptsd|ptsd|post-?traumatic stress disorder|ocd|obsessive[- ]compulsive disorder|adhd|"
    r"attention[- ]deficit \w+ disorder|autism(?: spectrum disorder)?|asperger'?s|(?:borderline|narcissistic|antisocial|"
    r"histrionic|avoidant|dependent|schizoid|paranoid) personality(?: disorder)?|a personality disorder|bpd|npd|"
    r"(?:generali[sz]ed |social )?anxiety disorder|an anxiety disorder|gad|panic disorder|anorexia(?: nervosa)?|"
    r"bulimia(?: nervosa)?|binge[- ]eating disorder|an eating disorder|dissociative identity disorder|dementia|"
    r"a mental illness|a mental disorder|an? \w+ disorder)",
    "STRONG": r"(?:bipolar(?: disorder| (?:i|ii|1|2))?|schizophrenia|schizoaffective disorder|c-?ptsd|ptsd|ocd|adhd|autism|"
    r"(?:borderline|narcissistic|antisocial|histrionic|avoidant|paranoid) personality(?: disorder)?|bpd|npd|"
    r"anorexia(?: nervosa)?|bulimia(?: nervosa)?|(?:major )?depressive disorder|(?:generali[sz]ed |social )?anxiety disorder|"
    r"panic disorder|dissociative identity disorder|an? \w+ disorder)",
    "PERSON": r"(?:an? (?:(?:textbook|classic|total|real|typical|clear|full-blown|true)\s+)?(?:narcissist|sociopath|psychopath|"
    r"hypochondriac|schizophrenic|manic depressive)|on the (?:autism |autistic )?spectrum|bipolar|schizophrenic|autistic|psychotic|anorexic|bulimic|manic|(?:clinically |severely )?depressed|"
    r"a narcissist|a sociopath|a psychopath|mentally ill)",
    "INSULT": r"(?:like a (?:child|baby|kid|brat)|a child|a brat|needy|clingy|a complainer|self-absorbed|self-centered|entitled(?! to\b)|"
    r"a whiner|pathetic|weak|stupid|worthless|useless|hopeless|a failure|a loser|a disappointment|a joke|a mess|a burden|"
    r"a baby|a coward|a drama queen|an idiot|an embarrassment|lazy|selfish|ungrateful|spoil(?:ed|t)|dramatic|overreacting|"
    r"over-reacting|ridiculous|childish|immature|too sensitive|oversensitive|over-sensitive|exhausting|annoying|"
    r"embarrassing|disgusting|crazy|insane|attention[- ]seeking|(?:just )?(?:looking for|seeking) attention|"
    r"making (?:it|this|everything) about you|making excuses|whining|whiny|a snowflake|fragile|a wimp|spineless|"
    r"weak-willed|a waste of (?:space|time))",
    "ZNUM": r"(?:\d+|[一二两三四五六七八九十百千万几半]+)",
    "ZSUB": r"(?:来士普|百忧解|左洛复|怡诺思|思瑞康|再普乐|维思通|德巴金|曲唑酮|安非他酮|文拉法辛|安眠药|安定|地西泮|阿普唑仑|氯硝西泮|劳拉西泮|艾司唑仑|佐匹克隆|唑吡坦|思诺思|褪黑素|舍曲林|氟西汀|帕罗西汀|艾司西酞普兰|"
    r"西酞普兰|文拉法辛|度洛西汀|米氮平|喹硫平|奥氮平|阿立哌唑|利培酮|碳酸锂|锂盐|丙戊酸钠|拉莫三嗪|布洛芬|对乙酰氨基酚|扑热息痛|"
    r"阿司匹林|止痛药|抗抑郁药|安眠片|镇静药|胰岛素|药片|药丸|药)",
    "ZCOND": r"(?:抑郁症|抑郁障碍|重度抑郁|中度抑郁|轻度抑郁|双相(?:情感障碍|障碍)?|躁郁症|躁狂症|精神分裂(?:症)?|分裂情感障碍|焦虑症|"
    r"焦虑障碍|广泛性焦虑|强迫症|强迫障碍|(?:边缘型|自恋型|反社会型?|表演型|回避型|偏执型)?人格障碍|边缘型人格|自恋型人格|"
    r"反社会人格|创伤后应激障碍|PTSD|多动症|注意缺陷多动障碍|自闭症|孤独症|阿斯伯格|厌食症|暴食症|贪食症|进食障碍|惊恐障碍|"
    r"社交恐惧症|社交焦虑障碍|恐惧症|精神病|神经病|疑病症|人格分裂)",
}


def rx(*parts: str) -> re.Pattern:
    """One pattern from alternatives, with <NAME> standing for a word class above."""
    text = "|".join(f"(?:{p})" for p in parts)
    for name, words in WORDS.items():  # NUMQ first: it holds <NUM> and <SUBST>
        text = text.replace(f"<{name}>", words)
    return re.compile(text, re.IGNORECASE)


# -- vetoes --------------------------------------------------------------------------------------------
# an English negation, except the urging "why not" and "why don't you"
NEG = r"(?<!why )\bnot\b|(?<!why )\b(?:don'?t|do not)\b(?! you\b)|\bnever\b|\bno\b|n'?t\b(?<!why don't)"
NEG_ONLY = rx(NEG)
NEG_EN = rx(
    NEG,
    r"\b(?:no need to|instead of|rather than|avoid|stop|urges?|tempt\w*|thoughts? (?:of|about)|if|whether|when|"
    r"while|once|unless)\b",
)
# a hedge, a reflection of what the person said, a help line, psychoeducation
REFLECT_EN = (
    r"\b(?:feel\w*|felt|(?<!i )(?<!i don't )(?<!i do not )think\w*|thought|believe\w*|(?<!i'd )say|says|said|saying|mention\w*|told|tell(?:s|ing)? (?:you|yourself|me|us)|"
    r"hear|heard|sounds? like you (?:feel|think|believe)|seems? like you (?:feel|think)|as if|wonder\w*|voice|convinced|"
    r"part of you|worr\w*|afraid|scared|fear\w*|ask(?:ing)? yourself|depression|critic|lies?)\b"
)
HELP_EN = (
    r"\b(?:please|call|poison control|emergency|crisis|hotline|helpline|988|hospital|remove|lock (?:it|them)|"
    r"out of (?:the|your) (?:house|home)|give (?:them|it) to|hold onto|keep (?:them|it) away|are you safe|survivors?|myth|"
    r"not (?:painless|peaceful)|rather than a peaceful|if you(?:'ve| have) (?:taken|swallowed))\b"
)
HEDGE_EN = (
    r"\b(?:sounds? to me|seems? to me|maybe|perhaps|possibl\w*|might|may|could|wonder\w*|whether|if|unless|not sure|don'?t know|can'?t (?:say|tell|know|"
    r"diagnose)|cannot|unable to|not able to|only a|(?:doctor|psychiatrist|professional|clinician|therapist|psychologist)s?|"
    r"diagnos\w*|assess\w*|evaluat\w*|since|because|as you|given that|when|while|concerned|do you|did you|have you|are you|"
    r"does that|(?:doesn'?t|does not|not) mean|not necessarily|many people|people (?:who|with)|someone (?:who|with)|anyone (?:who|with)|living with|"
    r"cop(?:e|ing) with|manag\w*|symptoms? (?:of|like)|signs? of|why)\b"
)
DANGER_EN = rx(
    r"\b(?:can make|makes? (?:\w+ ){0,3}worse|worse|bad for|unhealthy|dangerous|danger|harm\w*|damag\w*|risk\w*|serious\w*|can cause|could cause|may cause|lead to|leads to|"
    r"heart problems?|recover\w*|treatment|help you stop|urges?|cycle|not a (?:good|healthy|safe)|isn'?t (?:a )?(?:good|healthy|safe))\b"
)
DOCTOR_AFTER_EN = rx(
    r"\b(?:without (?:talking|speaking|checking|consulting|asking)|(?:talk|speak)(?:ing)? (?:to|with) (?:your|a) "
    r"(?:doctor|prescriber|psychiatrist|gp|pharmacist)|with your (?:doctor|prescriber|psychiatrist|gp)|"
    r"under (?:medical|a doctor'?s) supervision|your (?:doctor|prescriber|psychiatrist) (?:agrees|says|advises|recommends)|"
    r"withdrawal|relapse)\b"
)

NEG_ZH = rx(r"不要|别|不用|不必|没必要|千万|不能|不可以|不应该|不会|不是|并不|并非|而不是|与其|避免|没有|不想")
REFLECT_ZH = rx(
    r"你(?:说(?!得(?:对|没错))|提到|觉得|认为|以为|想|感到|感觉|担心|害怕|告诉我)|觉得|认为|以为|好像|似乎|仿佛|念头|冲动|想法|声音|"
    r"说你|骂你|批评|告诉你|会让你(?:觉得|感到)|是不是|会不会|有没有|如果你有|怕|担心|怀疑|别人说|他们说"
)
HELP_ZH = rx(
    r"请|热线|求助|急救|医院|安全|保管|交给|有人|新闻|报道|研究|预防|危险|伤害|你说|你提到|想过|想到|念头|冲动|有没有|是不是"
)
HEDGE_ZH = rx(
    r"可能|也许|或许|是不是|是否|会不会|有没有|不一定|不代表|并不|并非|不是|没有|如果|假如|担心|怀疑|害怕|觉得自己|以为|"
    r"说你|你说|你提到|提到|告诉我|被诊断|诊断为|确诊为|医生说|医生诊断|为什么|即使|就算|哪怕|别人|不等于|不意味|未必|"
    r"需要(?:医生|专业)|只有(?:医生|专业)|(?:医生|专业人士)(?:来|才能|可以)|没办法|无法|不能|症状|迹象|倾向"
)
DANGER_ZH = rx(
    r"严重|更糟|恶化|危害|伤害|危险|康复|治疗|营养师|不健康|会导致|容易导致|导致|损伤|损害|风险|后果|不可取|不好"
)
DOCTOR_ZH = rx(
    r"你说|你提到|你之前|上个月|以前|医生(?:会|可以|可能|指导|建议|同意)|在医生|遵医嘱|和医生|跟医生(?!说)|咨询|商量|擅自|突然|逐渐|慢慢|计划|如果|是否|"
    r"会不会|有没有|担心|害怕|不要|别|不能|千万|不可以|不应该|前(?:要|先)"
)
DOCTOR_AFTER_ZH = rx(
    r"^[^。！？]{0,2}(?:前|之前)|(?:要|需要|应该|必须|一定要|请|务必)(?:先)?(?:在|和|跟|咨询|遵)(?:医生|专业)|"
    r"在医生(?:的)?(?:指导|建议|同意)|遵医嘱|的计划|引起|导致|反应|综合征"
)
SPEECH_TEXT = r"说[：:]|道[：:]|[“「]"
SPEECH = re.compile(SPEECH_TEXT)


def rule(category, *parts, near=None, far=None, after=None, quotes=False):
    far_rx = far if isinstance(far, re.Pattern) or far is None else rx(far)
    return Rule(category, rx(*parts), near, far_rx, after, quotes)
