"""The crisis lexicon: risk phrase patterns per category, in English and Chinese, and the idioms and slang
blanked out before they are read. `detect` applies them (negation, context, grading)."""

from __future__ import annotations

import re


def _rx(*patterns: str) -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


# fmt: off
# category -> pattern; every category is checked
# the lexicons are tables: one risk phrase pattern per line reads better than the formatter's layout
EN = {
    "suicidal_ideation": _rx(
        r"\bkill(?:ing)? my ?self\b", r"\bend(?:ing)? (?:my life|it all|things)\b(?! with| between| off)", r"\btake my (?:own )?life\b",
        r"\bcommit(?:ting)? suicide\b", r"\bsuicid(?:e|al)\b", r"\b(?:want|wanted|wanna|going) to die\b",
        r"\bdon'?t want to (?:(?:live|keep (?:on )?living|go on living)\b(?! (?:with (?:(?:my|his|her|their|our|a) )?(?:parents|mum|mom|dad|family|ex|husband|wife|partner|boyfriend|"
        r"girlfriend|in-laws|brother|sister|roommates?|flatmates?|friends?|kids|children)|with (?:them|him|her|someone|somebody)|alone|together|abroad|near|next to|"
        r"in (?:a|the|this|that|my|our) (?:city|town|village|flat|house|apartment|dorm|country|area|neighbou?rhood|street|building|"
        r"suburbs|countryside))\b)|be alive|exist|be here anymore|wake up)\b",
        r"\b(?:wish|want) (?:i|you) could (?:just )?disappear (?:for good|forever|permanently)\b", r"\bbetter off dead\b",
        r"\b(?:rather|prefer to) be dead\b", r"\brather die than (?:live|living|go on|keep|be alive|feel|wake|spend)",
        r"\bno (?:reason|point) (?:to|in) (?:live|living|go on|going on)\b",
        r"\bwhat'?s the point (?:of|in) (?:living|life|going on)\b", r"\bwish i (?:was|were) (?:dead|never born)\b",
        r"\b(?:everyone|they|the world|people)(?:'d| would)? (?:be )?(?:better off|happier) (?:without me|if i (?:were|was) gone)\b",
        r"\b(?:be|are|is) (?:so |much |a lot )?(?:better off|happier) if i (?:were|was) (?:gone|dead|not here|not around)\b",
        r"\bcan'?t go on\b", r"\b(?:never|not) (?:to )?wake up\b", r"\bnot worth living\b",
        r"\bwish i (?:could )?(?:disappear|never woke up|wasn'?t born)\b", r"\btired of (?:being alive|living)\b",
        r"\bdisappear(?:ed)? (?:forever|and never come back)\b", r"\bwaste away and die\b",
        r"\bstop forever\b", r"\b(?:drive|driving) my car into\b", r"\b(?:isn'?t|is not) worth living\b",
        r"\bwant to jump (?:off|from)\b", r"\breasons? not to (?:kill myself|die|end (?:it|my life|things))\b", r"\bif i (?:killed|kill) myself\b", r"\b(?:i'?m|i am) not safe\b(?! (?:to|for) (?:drive|driving|travel|swim|work))",
        r"\b(?:only|just) (?:holding|hanging) on (?:for|until|till|to see)\b",
        r"\basked (?:me )?(?:if|whether) i'?m safe\b.{0,30}\b(?:i lied|i'?m not)\b",
        r"\breasons to (?:stay|live|keep going|be here)\b.{0,40}\b(?:shorter|running out|fewer|gone)\b",
        r"\b(?:does|will|would) (?:dying|death) hurt\b", r"\bis (?:dying|death) painful\b", r"\bdying,? i mean\b",
        r"\b(?:plan|planned|planning|want|wanted|going) to end it\b(?! with| between| all for)",
        r"\bterminal (?:diagnosis|illness|cancer)\b.{0,40}\b(?:relieved|relief)\b",
        r"\bhop(?:e|ing|ed) (?:that )?(?:the|my) (?:plane|flight|bus|train|car) (?:goes down|crashes|crash(?:ed)?|falls)\b",
        # "algospeak" written to get past platform filters (netsweeper.com/filtering/algospeak-how-teens-outsmart-algorithms,
        # thethreepennyguignol.com 2025-02-21 "Self-Deletion, Sewerslide, Unalive")
        r"\bunaliv(?:e|ing) (?:my ?self|me)\b", r"\b(?:want|wanna|going) to unalive\b", r"\bsewer ?slide\b",
        r"\bsue[- ]?decide\b", r"\bself[- ]delet(?:e|ion|ing)\b", r"\bkms\b",
        # passive wishes to be dead or not to exist, which the rubric counts as suicidal thoughts
        r"\bi shouldn'?t (?:be here|be alive|exist|have been born)\b(?! (?:at|in|on|with|for|today|tonight|right now)\b)",
        r"\b(?:care|matters?) (?:if|whether) i (?:live|die|wake up)\b", r"\bwhether i live or die\b",
        r"\b(?:continue|keep|go on) (?:to exist|existing)\b", r"\b(?:stop|cease) existing\b", r"\bwish i (?:didn'?t|did not) exist\b",
        r"\b(?:wish|hope|pray)(?:ing)? (?:that )?i (?:would |could |will |'d )?(?:just )?(?:die|not wake up|get (?:hit by|run over by) a)\b",
        r"\b(?:my )?life (?:is|feels|seems) (?:so |completely |totally |just |utterly )?(?:pointless|meaningless|not worth (?:it|living))\b(?! without)",
        r"\bno point (?:in|to) (?:life|living|being alive|existing)\b", r"\bbetter off (?:not (?:in this world|alive|existing|here)|without me)\b",
        r"\b(?:think|thinking) (?:a lot )?about (?:my own death|dying|death)(?: (?:all the time|constantly|every day|every night|a lot))\b",
        r"\bthinking a lot about (?:death|dying)\b", r"\bthoughts? (?:of|about) (?:my own )?(?:death|dying)\b(?! of\b)",
        r"\blet(?:ting)? go of the (?:steering )?wheel\b", r"\b(?:step|stepping|walk|walking|jump|jumping) in front of (?:a|the) (?:bus|train|car|truck|lorry)\b",
        r"\b(?:swerv|steer|driv)\w* (?:my car |the car )?into (?:oncoming traffic|a (?:tree|wall|truck)|the (?:river|sea|lake|barrier))\b",
        r"\bwalk(?:ing)? into (?:traffic|the sea|the river|the ocean)\b", r"\bgiv(?:e|ing) up on (?:life|living)\b",
        r"\bdon'?t know how (?:much )?longer i can (?:go on|keep going|keep living|hold on|do this|take (?:it|this)|(?:keep )?try(?:ing)?|survive|last|cope)\b",
        # giving up and seeing no point, said of life itself (the rubric: only when the context is dying or not existing)
        r"\bon the verge of (?:just )?giving up\b(?!\s+on\b(?!\s+(?:life|living)))", r"\bsee no point in\b.{0,40}\b(?:life|living|existing|going on)\b",
        # thinking of not being here, of ending it; no point in living; easier not to exist (the rubric's passive wishes)
        r"\b(?:think|thinking|thought)(?: a lot)? (?:about|of) (?:not being (?:here|alive|around)|not existing|ending (?:it|it all|things|my life))\b(?! with| between| for| off)",
        r"\bdon'?t see (?:the|any|a) point (?:in|of) (?:living|life|being alive|going on|existing)\b(?!\s+(?:in|at|with|near|here|there|like|on|abroad|together|without)\b)",
        r"\bbetter off if i (?:just )?(?:disappeared|was gone|were gone|wasn'?t (?:here|around|alive)|didn'?t exist|died)\b",
        r"\b(?:easier|better) (?:to not|not to) (?:exist|be alive)\b|\b(?:easier|better) if i (?:didn'?t|did not) exist\b",
        r"\bpart of me (?:wants|wanted) to die\b",
        r"\bdon'?t deserve to (?:live|be alive|exist)\b", r"\bwant (?:it all|everything|the pain|my life) to (?:end|stop) (?:for good|forever|permanently)\b"),
    "plan_or_means": _rx(
        r"\b(?:have|got|bought|saved|stockpil\w*|collect\w*|taken|took|taking) (?:up )?(?:the |some |enough |a |all the )?(?:pills|rope(?! ladders?\b| swings?\b)|gun|razor|blades?|knife)\b"
        r"(?! for (?:rock |the |my )?(?:climbing|camping|hiking|sailing|boat|tent|kitchen|cooking|garden|work|class)\b)",
        r"\btaking them all\b", r"\b(?:thought|thinking|think) (?:about|of) (?:taking|swallowing) (?:all|a whole (?:bottle|pack)|the whole (?:bottle|pack)) (?:of )?(?:my |the )?(?:pills|tablets|meds)\b", r"\bhoard(?:s|ing|ed)? (?:up )?(?:all )?(?:my |the |some |of )?(?:\w+ )?(?:pills|tablets|meds|medications?|prescriptions?)\b",
        r"\bpills in front of me\b", r"\bhow many (?:pills|tablets)\b", r"\blethal dose\b",
        r"\boverdos(?:e|ed|ing)\b(?! (?:deaths|rates?|statistics|crisis|epidemic|prevention|signs|symptoms|treatment))",
        r"\bjump(?:ing)? (?:off|from) (?:the |a )?(?:bridge|roof|building|balcony)\b",
        r"\b(?:measur\w*|eyeing|staring at|looking at|checking) the (?:drop|fall) from (?:my|the|our) (?:balcony|roof|window|bridge|ledge)\b", r"\bhang(?:ing)? myself\b",
        r"\bshoot(?:ing)? myself\b", r"\bon the roof\b", r"\bwrote (?:a|my) (?:suicide )?note\b",
        r"\bbought a rope\b(?! ladder| swing)", r"\bhave a (?:gun|knife)\b", r"(?:^|[.!?,]\s*)(?:the )?rope(?:'s| is) (?:up|tied|ready|hung)\b",
        r"\b(?:have|got|take|taking|took|get|getting) my (?:\w+'s )?(?:hunting )?(?:gun|rifle|shotgun|pistol|firearm)\b",
        r"\b(?:in|inside) (?:the|my) (?:car|garage)\b.{0,60}\b(?:engine running|exhaust|fumes)\b",
        r"\b(?:car|garage) is full of (?:exhaust|fumes|smoke)\b", r"\bcarbon monoxide\b", r"\b(?:fall|jump|drop)\b.{0,40}\bsurvivable\b",
        r"\b(?:on|onto|lying on|sitting on|standing on) the (?:train |railway )?tracks\b",
        r"\b(?:express|freight|non-stop|fast) trains?\b.{0,30}\b(?:passes|pass|comes through|goes through|doesn'?t stop)\b",
        r"\bstanding (?:at|on) the (?:level|railway|train) crossing\b",
        r"\bworked out\b.{0,40}\bhave the (?:place|house|flat) to myself\b",
        r"\b(?:looked up|looking up|searched|searching|googled|googling|checked out) (?:the |which )?(?:\w+ )?(?:tallest|highest)\b",
        r"\b(?:looked up|looking up|searched|googled|googling|checked|checking) how (?:tall|high) (?:the |that |a |my )?(?:\w+ )?"
        r"(?:building|bridge|garage|car park|parking garage|parking structure|tower|block|roof|cliff|balcony|flat|apartment|"
        r"hotel|multi-?storey)s?\b",
        r"\b(?:\d+|two|three|four|five|six|seven|eight|ten) (?:floors|stories|storeys) (?:be )?(?:enough|high enough)\b",
        r"\bwhole (?:pack|packet|bottle|box|strip) of (?:pills|tablets|paracetamol|ibuprofen|tylenol|sleeping pills)\b",
        r"\b(?:jump\w*|fall\w*|pills|tablets|overdose)\b.{0,40}\b(?:always|definitely|enough to be|be) (?:fatal|lethal|deadly)\b"),
    "method_request": _rx(r"\b(?:tell|give|show) me (?:the |a )?(?:lethal|fatal|deadly) dose\b",
                          r"\bhow (?:many|much) (?:pills|tablets|\w+) (?:would|will|does it) (?:it )?(?:take to )?(?:kill|die)\b",
                          r"\b(?:best|easiest|painless|quickest) way to (?:die|kill myself|end my life)\b",
                          r"\b(?:which|what) (?:pills|painkillers|tablets|meds|medications?|drugs?)\b.{0,30}\bmost likely to "
                          r"(?:kill|shut|stop|destroy|wreck)\b",
                          r"\bhow (?:many|much)\b.{0,40}\b(?:would|will|does) it take to (?:kill|die|stop (?:a|my|your|the) heart|end it)\b",
                          r"\b(?:least painful|most painless|painless|quickest|surest|fastest) way to (?:die|kill myself|end (?:it|my life))\b",
                          r"\bhow (?:can|do|should|would) i (?:kill myself|end my life|die (?:without|painlessly|quickly|quietly))\b"),
    # the rubric's imminent risk on its own: a decided plan, a date, an attempt under way or just made, a goodbye
    "plan_made": _rx(r"\bi(?:'ve| have) (?:decided|made up my mind) to (?:kill myself|end (?:it|my life|things)|die)\b",
                     r"\bi (?:have|'ve got|got) a plan to (?:kill myself|end (?:it|my life|things)|die)\b",
                     r"\b(?:picked|chosen|chose|set) (?:a|the) (?:date|day|time|place|spot)\b.{0,40}\b(?:kill myself|end (?:it|my life|things)|die)\b",
                     r"\bgoodbye,? cruel world\b", r"\b(?:wrote|written|finished|left) (?:a|my) suicide (?:note|letter)\b",
                     r"\bi(?:'m| am|m) (?:going to|gonna) (?:kill myself|end my life|take my (?:own )?life)\b(?!,? (?:if|unless|when)\b)",
                     r"\bby the time (?:you|anyone|someone|they) (?:read|reads|see|sees|find|finds) this,? i(?:'ll| will) (?:be (?:dead|gone)|no longer be (?:here|alive))\b(?! (?:on|to|for|from|away|by))",
                     r"\b(?:i'?ve|i have|i just|just) (?:taken|swallowed|took) (?:all (?:of )?(?:the |my )?(?:pills|tablets)|(?:the |my )?whole (?:bottle|pack))\b"),
    # the same, said without naming death ("I've decided when", "goodbye everyone", "I just took my pills"): ordinary
    # words on their own (a party, a last day at work, the doctor's tablets), imminent only beside a wish to die
    "plan_cue": _rx(r"\bi(?:'ve| have) (?:decided|made up my mind) (?:to do it|how|when)\b", r"\bi(?:'m| am|m) (?:going to|gonna) do it\b(?!,? (?:if|unless|when|anyway)\b)", r"\bi (?:have|'ve got|got) a plan for (?:how|when)\b",
                    r"\bby the time (?:you|anyone|someone|they) (?:read|reads|see|sees|find|finds) this\b",
                    r"\bgoodbye,? (?:everyone|world|all)\b", r"\bthis is my (?:last|final) (?:message|post|night|day|goodbye)\b",
                    r"\b(?:i'?ve|i have|i just|just) (?:taken|swallowed|took) (?:the |my )?(?:pills|tablets)\b",
                    # means at hand, standing at the edge, an injury that will not stop bleeding
                    r"\b(?:the |my |all the |all my )?(?:pills|tablets|rope|gun|knife|blades?|razor)s? (?:is |are )?(?:right )?(?:here|in front of me|next to me|ready|in my hand)\b",
                    r"\b(?:have|got) (?:the|my|a) (?:pills|tablets|rope|gun|knife|blades?|razor)s? (?:right )?(?:here|ready|with me|in my hand|next to me)\b",
                    r"\b(?:standing|sitting) on (?:the|a) (?:bridge|ledge|roof|edge|railing)\b",
                    r"\bbleeding (?:won'?t|will not|doesn'?t|does not|wouldn'?t) stop\b|\bcan'?t stop the bleeding\b"),
    "imminent_timing": _rx(r"\btonight\b", r"\bright now\b", r"\bnow\b", r"\btoday\b", r"\bthis weekend\b",
                           r"\bin (?:a|an) (?:few )?(?:minutes?|hours?)\b", r"\bin \d+ (?:minutes?|mins?)\b", r"\bafter work\b",
                           r"\b(?:after|once|when) (?:my \w+|the \w+|everyone|everybody|they|he|she) (?:\w+ ){0,2}(?:go(?:es)? to (?:sleep|bed)|leaves?|ha(?:s|ve) left|(?:is|are) (?:asleep|gone|out))\b",
                           r"\bthis is (?:my )?(?:last|goodbye)\b", r"\bwill be over\b",
                           r"\bi'?ve (?:already )?(?:taken|swallowed)\b"),
    "self_harm": _rx(r"(?<!\bit's )(?<!\bits )(?<!\bit is )\b(?:cut|cutting|burn|burning|hurt|hurting|harm|harming) my ?self\b", r"\bself[- ]harm\w*\b",
                     r"(?:^|[.!?]\s*|\bi(?:'ve| have)? (?:been )?)cut(?:ting)? again\b",
                     # self-harm other than cutting: hitting, punching, biting, burning or starving oneself
                     r"\b(?:hit|hitting|punch|punched|punching|bite|biting|bit|slap|slapped|slapping|stab|stabbed|stabbing|beat|beating|starve|starving|strangle|strangling)s? my ?self\b",
                     r"\b(?:bite|biting|bit|punch|punched|punching|hit|hitting|burn|burned|burnt|burning|cut|cutting|carv\w*|stab\w*) (?:my own |my )(?:arms?|wrists?|legs?|thighs?|face|skin|stomach|chest|body)\b(?! (?:on|against) (?:a|the) )",
                     r"\b(?:hit|hitting|bang|banging|slam|slamming|smash|smashing)s? my head (?:on|against|into) (?:the )?(?:walls\b|floors?\b|wall (?:until|till|so hard|when|whenever|every time))",
                     r"\burges? to (?:cut|burn|self-harm|hurt myself|hit myself)\b", r"\bmake my ?self bleed\b"),
    "farewell": _rx(r"\bgiv(?:e|ing) away (?:all )?my (?:stuff|things|belongings)\b", r"\bthis is goodbye\b",
                    r"\bwon'?t be (?:around|here) (?:much longer|anymore|tomorrow)\b",
                    r"\bsay(?:ing)? goodbye to (?:everyone|everybody)\b", r"\bwon'?t need them\b",
                    r"\b(?:playlist|songs|music|plans?) for my (?:own )?funeral\b", r"\blast thing on my list\b", r"\bplann(?:ed|ing) my (?:own )?funeral\b"),
    # ("hurt him" / "hurt my partner" is most often about feelings: "I'm afraid I will hurt him")
    "harm_to_others": _rx(r"\b(?:going to|gonna|want to|will) (?:kill|shoot|stab|strangle|choke) (?:him|her|them|someone|people|the people|my \w+)\b",
                          r"\b(?:going to|gonna|want to|will) hurt (?:someone|people|the people)\b",
                          # thoughts of harming one's child (postpartum screening asks about them); "I would never
                          # hurt my kids" is negated like any other match
                          r"(?<!without )\b(?:hurt|harm|kill|shake|smother|drown)(?:ing)? (?:my|the) (?:baby|babies|kids?|child|children|son|daughter)\b",
                          r"\b(?:fantasi[sz]e|fantasi[sz]ing|picture|picturing|imagine|imagining|thoughts of|thinking about) "
                          r"(?:about )?(?:hurting|killing|stabbing|strangling|shooting|pushing) (?:him|her|them|my \w+|someone)\b",
                          # thoughts, urges, voices or acts of seriously harming other people
                          r"\b(?:thoughts?|urges?|fantasies|impulses?|images?) (?:of|about|to) (?:killing|hurting|harming|stabbing|shooting|attacking|strangling|murdering|kill|hurt|harm|stab|attack) (?:people|someone|somebody|others|strangers|a stranger|everyone|him|her|them|my \w+)\b",
                          r"(?<!'s )\b(?:violent|homicidal) (?:thoughts|urges|fantasies|impulses)\b", r"\bvoices?\b.{0,30}\b(?:tell|tells|telling|told) me to (?:hurt|kill|harm|attack|stab)\b",
                          r"\b(?:urges?|want|wanted|tempted|going) to (?:really )?(?:hurt|kill|harm|attack|stab|beat up) (?:somebody|someone|people|others|a stranger)\b",
                          r"\b(?:thinking|think|thought|dream\w*) (?:about|of) (?:killing|murdering|hurting|stabbing|shooting) (?:people|someone|somebody|everyone|others|strangers)\b",
                          r"\bi (?:hit|hits|beat|punch|punched|slap|slapped|choke|choked|shove|shoved|kick|kicked) (?:my )?(?:girlfriend|boyfriend|wife|husband|partner|baby)\b",
                          r"\bwe (?:\w+ )?(?:hit|punch|slap|beat|choke) each other\b", r"\b(?:throw|threw|throwing) (?:things|stuff) at (?:her|him|my (?:girlfriend|boyfriend|wife|husband|partner))\b"),
    "abuse": _rx(r"\b(?:he|she|they|my \w+) (?:hits|beats|hit|beat|rapes|raped|abuses|abused|chokes|choked) me\b",
                 r"\bthe one with the belt\b", r"\b(?:hits?|beats?|beat|whips?|whipped|hitting|beating) (?:me|us) with (?:a|the|his|her) belt\b",
                 r"\b(?:being|been|was|am) (?:sexually |physically )?abused\b(?! (?:emotionally|verbally|mentally))", r"(?<!verbally )(?<!emotionally )(?<!mentally )\babused me\b", r"\bafraid to go home\b",
                 r"\b(?:he|she|they|my \w+) locks? me (?:in|up)\b",
                 r"\b(?:says|said|threatens|threatened) (?:that )?(?:he|she|they)(?:'ll| will| would|'d) (?:hurt|kill|take) "
                 r"(?:me|us|the kids|the children|the baby|my \w+)\b", r"\bthreaten\w* to (?:hurt|kill) (?:me|us|the kids|my \w+)\b",
                 r"\bmade me (?:do (?:things|stuff|sexual things)|touch (?:him|her))\b", r"\b(?:he|she|they|my \w+) touche[sd] me\b",
                 # grooming: being told to keep it from one's parents
                 r"\b(?:told|tells|asked|asks|made|makes) me (?:not to|never to|to never) tell (?:my )?(?:parents|mum|mom|dad|"
                 r"family|anyone|anybody)\b", r"\b(?:says|said|tells me|told me) (?:it'?s|it is|this is) our (?:little )?secret\b",
                 # ongoing violence, threats or stalking by someone else
                 r"\b(?:he|she|they|my \w+) (?:still |often |sometimes |always |keeps |kept |has been |is |started |starts )?(?:hits|beats|hitting|punch(?:es|ed|ing)|kick(?:s|ed|ing)|slap(?:s|ped|ping)|chok(?:es|ed|ing)|strangl(?:es|ed|ing)|shov(?:es|ed|ing)|beating|stalk(?:s|ed|ing)|molest(?:s|ed|ing)|rap(?:es|ing)) me\b(?! out| off| up)",
                 r"\bthreaten(?:s|ed|ing)? me with (?:a |his |her )?(?:knife|gun|violence|weapon)\b", r"(?<!verbally )(?<!emotionally )(?<!mentally )\babusing me\b", r"\b(?:a|my) stalker\b", r"\bstalk(?:s|ed|ing)? me\b",
                 r"\b(?:won'?t|will not|doesn'?t|does not) stop (?:stalking|harassing|following|threatening|hitting) me\b",
                 r"\b(?:hurts?|abus\w+) me physically\b", r"\bphysically (?:hurts?|abus\w+|attack\w*) me\b", r"\bfear for my (?:life|safety)\b",
                 r"\b(?:afraid|scared|terrified) (?:for my (?:life|safety)|(?:that )?(?:he|she|they)(?:'ll| will| is going to| are going to|'s going to| might| would) (?:hurt|kill|hit|beat) me)\b",
                 r"\b(?:throws|threw|throwing) (?:things|stuff|\w+) at me\b", r"\btried to (?:strangle|choke|drown|stab|run me over|push me (?:out|off|down)|throw me (?:out|off|down))\b",
                 r"\bthreaten\w* to (?:share|post|send|leak|release) (?:my |the )?(?:nudes|photos|pictures|videos|images)\b"),
}
ZH = {
    "suicidal_ideation": _rx(r"想死", r"不想(?:再)?活", r"不想(?:再)?(?:这样|这么)活下去", r"活不下去", r"活着.{0,2}没(?:有)?意思", r"自杀", r"轻生",
                             r"结束(?:自己的)?生命", r"了结自己", r"死了算了", r"一了百了", r"不如死了", r"不想醒来",
                             r"消失算了", r"(?:干脆|真的|彻底)消失(?:好了|算了|吧)", r"(?:想|干脆)(?:永远|彻底)(?:消失|离场)(?!在)", r"想过(?:要)?(?:去)?死(?!亡)", r"我消失了?.{0,8}(?:更好|轻松)", r"没有我.{0,6}更好", r"结束这一切",
                             # expressions Weibo's moderators and CAS researchers list from real posts (news.shi-fen.com
                             # 2022-09 on Weibo's 舆情组; chinanews.com 2019-10-10; fx361.cc 2020-11-02 on 走饭's post)
                             r"一死了之", r"去死一死", r"想去死", r"想离开(?:这个)?世界", r"看不到明天", r"杀了我自己",
                             # homophones for 自杀 written to get past filters (紫砂 is also teapot clay: 紫砂壶)
                             r"紫砂(?!壶|锅|杯|泥|陶|茶)", r"自鲨", r"不(?:去)?(?:寻死|自杀|去死)的理由", r"(?:不打算|不准备|不想)活到",
                             r"[摔撞淹饿毒勒掐]死(?:我)?自己", r"我(?:其实|现在|并)?不安全|撒谎了.{0,6}(?:其实)?不安全", r"只(?:是)?(?:为了)?撑到(?!下班|放学|周末|发工资|月底|考完|假期)",
                             r"(?:查出|得了|确诊)(?:了)?绝症.{0,10}(?:松(?:了)?(?:一)?口气|解脱|高兴)",
                             # passive wishes to be dead or not to exist, which the rubric counts as suicidal thoughts
                             r"活着.{0,4}没(?:有)?(?:什么)?(?:意义|意思|价值|盼头|必要)", r"没有活下去的(?:价值|意义|理由|必要|勇气|动力|愿望|欲望|希望|念头)",
                             r"(?:跳河|跳楼|割腕|上吊|烧炭|安眠药)[^。？！?!]{0,12}(?:能(?:够)?|可以|会|才能)(?:彻底)?解脱", r"(?:没有|没)(?:什么)?(?:必要|理由|意义|动力)(?:再)?(?:继续)?活(?:下去|着)",
                             r"没有.{0,6}(?:支撑|支持)我活下去", r"活下去的(?:理由|意义|动力|价值).{0,3}(?:没了|没有了|都没|也没|消失)",
                             r"生无可恋", r"不如一死", r"(?<!你)(?<!你还)不如(?:去|直接)死", r"一去了之", r"不配活", r"(?:不该|不应该)(?:活着|活在|存在|出生|来到)",
                             r"世界上不(?:该|应该)有我", r"我的存在(?:就是|是)(?:多余|错误|罪过|负担)", r"活着就是(?:一种)?(?:罪过|错误|累赘|负担)",
                             r"死(?:了|掉|亡)?(?:就|才|会|也许|或许|是不是|是|算是|就是|能|就能)?.{0,6}解脱",
                             r"死了(?:就|才)?(?:能|可以|会)?(?:逃避|结束|摆脱|解决)(?:掉)?(?:一切|所有(?:的)?(?:问题|痛苦|烦恼)?)", r"解脱.{0,4}(?:就是|只有|只能)死",
                             r"(?:不想|不要|不愿)(?:再)?醒(?:来|过来)", r"(?:永远|再也)(?:也)?不(?:要|想|用)?(?:再)?醒(?:来|过来)",
                             r"想(?:要)?(?:就这样|直接|悄悄|悄无声息(?:地)?)?(?:消失|离开这个世界|离开人世)(?!一段|几天|一会|一下|一阵|几个)",
                             r"去另一个世界", r"想结束(?:自己|我自己)", r"(?:让|希望|想)(?:我的|自己的)?生命.{0,6}(?:终止|结束)",
                             r"(?:我|自己)(?:要是|如果)?(?:死了|不在了|消失了|没了).{0,12}(?:后悔|更好|轻松|都好|就好了|解脱)", r"我死了就(?:能|可以|会)",
                             r"忍着不(?:去)?死", r"(?:怕|害怕|不想|不愿)(?:再)?(?:看见|看到)(?:第二天|明天)(?:的)?太阳",
                             r"(?:希望|盼着?|等)(?:自己)?(?:得(?:重)?病|出(?:个)?(?:意外|车祸)|遭遇不幸|被车撞|一场意外).{0,8}(?:死|解脱|结束|离开|带我走)",
                             r"厌世(?:的)?(?:想法|念头|倾向)"),
    "plan_or_means": _rx(r"(?<!开了)(?<!开的)(?<!开)(?<!开了点)(?<!开了些)(?<!开点)(?<!开些)安眠药", r"(?<!感冒)药.{0,10}(?:都|全)?(?:攒|囤)着",
                         r"(?<!感冒)药.{0,8}(?:偷偷)?囤(?:在|起来|着)", r"药.{0,12}(?:一次|一口气)(?:全|都)(?:吃|吞)(?:了|掉|下去)", r"跳楼", r"跳河", r"跳下去", r"割腕", r"上吊", r"绳子(?![^。！？；]{0,6}(?:安全带|安全扣|快挂|主锁|岩点))", r"烧炭", r"喝了?农药", r"遗书",
                         r"攒了.{0,4}药", r"吃了.{0,4}(?:一整瓶|一瓶|所有的?)药", r"吃多少.{0,2}药.{0,4}(?:会死|致死)",
                         r"致死(?:剂)?量", r"楼顶(?!的?(?:露台|花园|餐厅|咖啡|酒吧|健身房|泳池|菜园)(?![^。！？；]{0,6}(?:边上|边缘|栏杆|跳)))", r"刀.{0,4}准备好",
                         r"(?:车里|车库).{0,6}(?:尾气|发动机开着)", r"一氧化碳", r"铁轨上", r"卧轨", r"查.{0,8}(?:最高的|哪座桥最高|多高)", r"一(?:次|口气)?吃.{0,2}一整(?:盒|瓶|板)",
                         r"药.{0,4}吃多少.{0,2}够", r"炭.{0,4}(?:点上|点着|点燃)|(?:点|烧)(?:上|着)?了?.{0,2}炭",
                         r"(?:门窗|窗户|门缝).{0,6}(?:胶带|封死|封好)", r"算好了.{0,14}只(?:有|剩)我一个人", r"不停(?:这|本|我们这)站的.{0,8}(?:几点|什么时候)(?:经过|通过|开过)",
                         r"把.{0,6}(?:药|锂盐|药片)(?:全|都)(?:吃|吞)(?:了|下去)"),
    "method_request": _rx(r"告诉我.{0,8}致死(?:剂)?量", r"(?:哪种|什么)(?:药|止痛药|安眠药).{0,6}最容易.{0,6}(?:死|搞坏|伤肝|衰竭)", r"吃多少.{0,4}(?:会死|能死|致死)", r"怎么死.{0,4}(?:不痛|最快)",
                          r"(?:最快|不痛苦)的(?:死法|自杀方法)", r"多少.{0,8}(?:让|能让|会让)?(?:心脏|心跳)停",
                          r"(?:怎么|怎样|如何)(?:样)?(?:才能|才可以|可以|能)?(?:去)?(?:自杀|死)(?:才|能|最|更|得|比较|不|快|没有痛苦|痛快)",
                          r"(?:我|该|要|想)(?:要)?(?:怎么|怎样|如何)(?:样)?(?:才能|才可以)?(?:去)?(?:自杀|死)",
                          r"(?:有没有|求|找|想知道|告诉我|问问)(?:一(?:个|种))?.{0,10}(?:自杀|死)的?(?:方法|方式|办法)",
                          r"(?:不疼|不痛|无痛|无痛苦|不痛苦|没有痛苦|最舒服|最体面|体面)(?:地|的)?(?:自杀|死法|死去|方法|方式|办法)",
                          r"(?:喝|吃)(?:什么|哪种|那种|哪个).{0,8}(?:就)?(?:会|能|可以)?死", r"多少(?:片|粒|颗)?(?:会|能|可以|才能|才会)(?:死|致死|没命)",
                          r"(?:不会|不被|不能被|无法|没法)(?:被)?(?:抢救|救)(?:过来|回来)",
                          r"(?:用|吃|喝)什么.{0,10}(?:能|可以|才能)(?:自杀|死)(?:成功)?", r"(?:自杀|死)的?(?:方法|方式|办法)[^。？?]{0,12}(?:有没有|建议|推荐|告诉我)",
                          r"我(?:选择|用)(?:跳河|跳楼|割腕|上吊|烧炭|吃安眠药|卧轨)的?(?:方式|方法)"),
    "plan_made": _rx(r"(?:准备|打算|决定|计划|下定决心)[^，,。！？!?；;]{0,12}?(?:就)?(?:去)?(?:自杀|去死|跳楼|跳河|割腕|上吊|烧炭|结束(?:自己|我的生命|生命))",
                     r"决定(?:去)?死(?!刑|亡)", r"(?:晚安|再见|永别了?)[，,、 ]?(?:这个)?世界",
                     r"(?:考完试|考完|高考完|过完年|过完生日|毕业(?:以)?后)(?:就)?(?:去死|自杀|结束(?:自己|生命)|跳楼)",
                     # (not a report: "他分手后就自杀了")
                     r"(?:后|以后|之后|完)[^，,。！？!?；;]{0,3}?(?:我)?(?:就|便)(?:去)?(?:自杀|去死|死|跳楼|跳河|割腕|上吊|烧炭|结束(?:自己的生命|我的生命|生命|自己))(?![了的过])",
                     r"等[^，,。！？!?；;]{1,12}?(?:了|后|以后|之后)[，,]?(?:我)?(?:就|便)(?:去)?(?:自杀|去死|跳楼|跳河|割腕|上吊|烧炭|结束(?:自己的生命|我的生命|生命|自己))(?![了的过])",
                     r"然后(?:就|再)?(?:去)?(?:自杀|去死|跳楼|跳河|上吊|烧炭|结束(?:自己的生命|我的生命|生命|自己))(?![了的过])",
                     r"(?:明天|今晚|今天|过几天|这个?周末|下周)(?:我)?(?:就|要)(?:去)?(?:自杀|去死|跳楼|跳河|上吊|烧炭|结束(?:自己的生命|我的生命|生命|自己))(?![了的过吧])",
                     r"(?:写好|写完)(?:了)?遗书|遗书(?:已经|都)?(?:写好|写完)"),
    # said without naming death (明天就走了 is also a trip, 站在天台 also a view): imminent only beside a wish to die
    "plan_cue": _rx(r"下辈子(?:再)?见", r"(?:可能|也许|说不定)?明天(?:我)?就(?:不在了|没了|走了|离开了)", r"(?:这是)?(?:我的)?最后一(?:条|次)(?:消息|留言)",
                    r"(?:还是|终究|最后)没(?:有)?(?:跳下去|敢跳|下得去手)", r"(?:站在|坐在|爬上)(?:了)?(?:天台|桥上|窗台|阳台边|楼顶)",
                    r"(?:药|安眠药|刀|刀片|绳子|炭|农药)[^，,。！？!?]{0,4}(?:都|全|已经)?(?:准备好|备好|买好|攒够|攒好)",
                    r"(?:买好|准备好|备好|攒够|囤好)(?:了)?(?:一(?:瓶|盒|些|根|把))?(?:的)?(?:药|安眠药|刀片|绳子|炭|农药)", r"已经(?:站)?在(?:天台|楼顶|桥上|窗台)(?:上)?了", r"(?:攒够|攒齐|囤够)了?.{0,4}(?:药|安眠药)",
                    r"(?:问完|发完|写完|说完)(?:这(?:个|条|些))?.{0,6}?(?:我)?(?:可能|也许)?(?:就)?(?:已经)?(?:离开|不在|走)了",
                    r"血(?:怎么也|还是|一直)?止不住"),
    "imminent_timing": _rx(r"今晚", r"今天晚上", r"今夜", r"今天", r"现在", r"马上", r"等下", r"等会", r"正在", r"最后一次",
                           r"已经(?:喝|吃|吞|割|点)", r"药(?:片)?(?:全|都)(?:吃|吞)(?:了|下去)"),
    "self_harm": _rx(r"自残", r"割(?:得)?太深", r"伤害自己", r"割自己", r"(?<![规计策筹刻])划自己", r"自伤", r"又(?:划|割)(?:了|自己|手)",
                     # self-harm other than cutting: hitting, biting, burning oneself, and wounds made on purpose
                     r"自虐(?!型)", r"自毁(?:行为|倾向)", r"打自己(?!的脸)", r"(?:扇|抽)自己(?:耳光|巴掌)?", r"(?:掐|咬|烫|抓)(?:伤)?自己(?!的(?:脸|话))",
                     r"(?:用|拿)(?:头|脑袋)(?:去)?撞(?:墙|地)", r"(?:划|割)(?:破)?(?:了)?(?:手腕|手臂|胳膊|大腿|腿|脉)",
                     r"(?:用|拿)(?:刀|刀片|小刀|美工刀|针|烟头|圆规).{0,6}(?:划|割|扎|刺|烫)(?:自己|手|胳膊|腿|皮肤)", r"(?:弄|划|割)(?:点|出)?伤口"),
    "farewell": _rx(r"永别", r"再见了(?:大家|所有人)", r"把.{0,4}东西(?:都)?送人", r"交代后事", r"(?:安排|计划|准备)(?:好)?(?:了)?我的葬礼",
                    r"(?:安排|准备|料理)(?:好)?(?:了)?后事|后事.{0,3}安排", r"以后(?:就|也)?用不(?:上|着)了", r"(?:清单上)?只剩(?:下)?最后一件事",
                    r"(?:猫|狗|兔子|宠物|鱼|鸟).{0,4}(?:都)?找(?:好)?了?(?:人家|新主人|下家)",
                    # entrusting the people one looks after to someone else
                    r"(?:让|叫|拜托|托)[^，,。！？]{0,4}以后(?:替我|帮我)?(?:好好)?照顾好?(?:我)?(?:妈|爸|爸妈|父母|家人|外婆|奶奶|孩子|猫|狗)"),
    "harm_to_others": _rx(r"杀了(?:他|她|他们|她们)", r"想杀人", r"弄死(?:他|她)", r"报复社会",
                          r"(?:伤害|掐死|闷死|捂死|淹死|摔死)(?:我的|我)?(?:孩子|宝宝|女儿|儿子|小孩)",
                          r"(?:声音|有人)(?:让|叫|命令)我去?(?:伤害|杀|打|捅)",
                          r"(?:幻想|想象|总想|老想)着?(?:把|趁|去)?.{0,8}(?:推下|捅|掐死|杀掉|砍)",
                          # thoughts or urges of killing or hurting others, and violence against one's child or partner
                          r"杀人的(?:想法|念头|冲动)", r"想(?:要)?杀(?:人|了(?:他|她|他们|她们))", r"同归于尽",
                          r"(?:揍|殴打|虐待)(?:我的)?(?:孩子|宝宝|儿子|女儿|小孩)", r"打(?:过)?(?:自己的|我的)?(?:宝宝|婴儿)",
                          r"(?:扎|捅|砍|掐)(?:了)?(?:孩子|宝宝|儿子|女儿|她|他)的?(?:腿|手|脖子|身上)"),
    "abuse": _rx(r"(?:说|让我|要我).{0,6}(?:这是)?(?:我们|咱们)(?:俩|两个)?的秘密", r"(?:让|叫|要)我(?:别|不要|不许)告诉(?:爸妈|父母|爸爸|妈妈|家里|别人|任何人)", r"家暴", r"(?:他|她|爸|妈|父亲|母亲|老公|男友|丈夫).{0,6}打我(?!妈|爸|弟|妹|哥|姐|电话|手机|的电话|的手机)", r"性侵", r"虐待我", r"把我(?:关|锁)(?:在|进)",
                 # ongoing violence, threats, stalking or sexual abuse by someone else
                 r"(?:他|她|爸|妈|父亲|母亲|老公|男友|男朋友|丈夫|妻子|老婆|继父|后妈|继母|婆婆|哥|养子|儿子|女儿).{0,6}(?:揍|踢|掐|扇|殴打|打)我(?!妈|爸|弟|妹|哥|姐|电话|手机|的电话|的手机|一顿饭)",
                 r"对我(?:有|使用|实施)?(?:暴力|动手|拳打脚踢)", r"拳打脚踢", r"(?:恐吓|威胁)(?:我)?(?:要|说)?.{0,6}(?:打|杀|弄死|砍|打断|捅)",
                 r"打断(?:我的)?腿", r"猥亵", r"强奸", r"性骚扰我", r"(?:跟踪|尾随)我", r"威胁.{0,10}(?:发|公开|曝光|传)(?:我的)?(?:视频|照片|裸照)"),
}
# idioms and slang removed before matching
IDIOMS = {
    "en": re.compile(r"\bbeat(?:ing|s)? (?:my|him|her|your|them)sel(?:f|ves) up\b|\bkill(?:ing|ed)? (?:it|time)\b|\bdying (?:to|for)\b|\b(?:will|gonna|going to|would|'ll) kill me\b|"
                     r"\bkills? me\b|\bkilling me\b|\bnearly killed me\b|\b(?:will|gonna|going to|would|'ll) murder me\b|"
                     r"\b(?:bored|scared|frightened|worried) to death\b|\b(?:die|died|dying) (?:of )?laugh(?:ing|ter)\b|\bkill(?:ing|ed)? (?:my|him|her|them|your)sel(?:f|ves) laughing\b|"
                     r"\b(?:i'?m|im) (?:literally |actually )?dead\b(?! inside)|"
                     r"\b(?:i'?d|i would) (?:honestly |literally )?rather die than (?!live|living|go on|keep|be alive|feel|wake|spend)|"
                     r"(?<!want )(?<!wants )(?<!wanted )(?<!wanting )(?<!wanna )(?<!going )\bto die for\b|\bdead tired\b|"
                     r"\bdie of embarrassment\b|\b(?:literally|actually) dying\b|"
                     r"\bdying (?:of|from) (?:laughter|boredom|heat|hunger|thirst|embarrassment|cuteness)\b|\bthe (?:death|end) of me\b|"
                     r"\b(?:fire|launch|shoot) me into the sun\b|\bshoot me now\b|"
                     r"\bkilling (?:my|the) soul\b|\bsoul[- ]?(?:crushing|destroying)\b|"
                     r"\b(?:really |honestly )?(?:thought|felt like|was sure|was convinced) (?:i was|i'd|i would) (?:going to |gonna )?die\b|"
                     r"\bdead to the world\b|\b(?:will|gonna|going to|'ll) (?:strangle|throttle) me\b|\bdead on my feet\b|"
                     r"\bso \w+ (?:that )?i could (?:just )?die\b|\bsh(?:o|oo)t(?:ing)? myself in the foot\b|"
                     r"\bjump out of my skin\b|\bcould (?:just )?(?:strangle|throttle|murder) (?:him|her|them|you)\b|"
                     r"\b(?:it|this|that|the \w+|my \w+|this \w+) (?:has|had) a death wish\b|\b(?:i'?m|im) so dead\b|"
                     r"\boverdos(?:e|ed|ing) on (?:coffee|caffeine|sugar|chocolate|candy|tv|netflix)\b|\bsuicide (?:squad|doors?|run)\b|\bmurder a\b|\bbungee[- ]jump\w*", re.IGNORECASE),
    "zh": re.compile(r"想死(?:你|我)了|想死你|(?:尴尬|无聊|热|冷|饿|困|丢人|害羞|羞|社死)得(?:想死|要死)|(?:笑|累|热|冷|饿|困|气|吓|烦|忙|美|帅|急|渴|痒|疼|痛|丑|难受|难|烂|撑|闷|晒|冻|挤|吵)死(?:我|人|了)|"
                     r"(?:想|馋)(?:到|得)要死|要把我送走|(?:会|要|非得|肯定会|肯定要)(?:杀|宰)了我(?!自己)|要(?:了)?我(?:的)?(?:老)?命|"
                     r"(?:跟|像)死猪一样|破防|原地(?:消失|去世|爆炸|升天)|杀死我的灵魂|给我一枪吧|(?:真|还)?以为(?:自己|我)?(?:要|会)死(?:了)?|"
                     r"(?:让|叫|要)我.{1,12}(?:还不如|不如)(?:直接)?杀了我|"
                     r"(?:会|要|非得|肯定会|肯定要)弄死我(?!自己)|没(?:摔|撞|淹|砸)死|"
                     r"跳楼价|跳楼甩卖|死机|死磕|搬起石头砸自己的脚"),
}
# fmt: on
