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
        r"\bkill(?:ing)? my ?self\b", r"\bend(?:ing)? (?:my life|it all|things)\b", r"\btake my (?:own )?life\b",
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
        r"\bsue[- ]?decide\b", r"\bself[- ]delet(?:e|ion|ing)\b", r"\bkms\b"),
    "plan_or_means": _rx(
        r"\b(?:have|got|bought|saved|stockpil\w*|collect\w*|taken|took|taking) (?:up )?(?:the |some |enough |a |all the )?(?:pills|rope(?! ladders?\b| swings?\b)|gun|razor|blades?|knife)\b"
        r"(?! for (?:rock |the |my )?(?:climbing|camping|hiking|sailing|boat|tent|kitchen|cooking|garden|work|class)\b)",
        r"\btaking them all\b",
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
                          r"\bhow (?:many|much)\b.{0,40}\b(?:would|will|does) it take to (?:kill|die|stop (?:a|my|your|the) heart|end it)\b"),
    "imminent_timing": _rx(r"\btonight\b", r"\bright now\b", r"\bnow\b", r"\btoday\b", r"\bthis weekend\b",
                           r"\bin (?:a|an) (?:few )?(?:minutes?|hours?)\b", r"\bin \d+ (?:minutes?|mins?)\b", r"\bafter work\b",
                           r"\bthis is (?:my )?(?:last|goodbye)\b", r"\bwill be over\b",
                           r"\bi'?ve (?:already )?(?:taken|swallowed)\b"),
    "self_harm": _rx(r"\b(?:cut|cutting|burn|burning|hurt|hurting|harm|harming) my ?self\b", r"\bself[- ]harm\w*\b",
                     r"(?:^|[.!?]\s*|\bi(?:'ve| have)? (?:been )?)cut(?:ting)? again\b"),
    "farewell": _rx(r"\bgiv(?:e|ing) away (?:all )?my (?:stuff|things|belongings)\b", r"\bthis is goodbye\b",
                    r"\bwon'?t be (?:around|here) (?:much longer|anymore|tomorrow)\b",
                    r"\bsay(?:ing)? goodbye to (?:everyone|everybody)\b", r"\bwon'?t need them\b",
                    r"\b(?:playlist|songs|music|plans?) for my (?:own )?funeral\b", r"\blast thing on my list\b", r"\bplann(?:ed|ing) my (?:own )?funeral\b"),
    "harm_to_others": _rx(r"\b(?:going to|gonna|want to|will) (?:kill|hurt|shoot|stab|strangle|choke) (?:him|her|them|someone|people|the people|my \w+)\b",
                          # thoughts of harming one's child (postpartum screening asks about them); "I would never
                          # hurt my kids" is negated like any other match
                          r"\b(?:hurt|harm|kill|shake|smother|drown)(?:ing)? (?:my|the) (?:baby|babies|kids?|child|children|son|daughter)\b",
                          r"\b(?:fantasi[sz]e|fantasi[sz]ing|picture|picturing|imagine|imagining|thoughts of|thinking about) "
                          r"(?:about )?(?:hurting|killing|stabbing|strangling|shooting|pushing) (?:him|her|them|my \w+|someone)\b"),
    "abuse": _rx(r"\b(?:he|she|they|my \w+) (?:hits|beats|hit|beat|rapes|raped|abuses|abused|chokes|choked) me\b",
                 r"\bthe one with the belt\b", r"\b(?:hits?|beats?|beat|whips?|whipped|hitting|beating) (?:me|us) with (?:a|the|his|her) belt\b",
                 r"\b(?:being|been|was|am) (?:sexually |physically )?abused\b", r"\babused me\b", r"\bafraid to go home\b",
                 r"\b(?:he|she|they|my \w+) locks? me (?:in|up)\b",
                 r"\b(?:says|said|threatens|threatened) (?:that )?(?:he|she|they)(?:'ll| will| would|'d) (?:hurt|kill|take) "
                 r"(?:me|us|the kids|the children|the baby|my \w+)\b", r"\bthreaten\w* to (?:hurt|kill) (?:me|us|the kids|my \w+)\b",
                 r"\bmade me (?:do (?:things|stuff|sexual things)|touch (?:him|her))\b", r"\b(?:he|she|they|my \w+) touche[sd] me\b",
                 # grooming: being told to keep it from one's parents
                 r"\b(?:told|tells|asked|asks|made|makes) me (?:not to|never to|to never) tell (?:my )?(?:parents|mum|mom|dad|"
                 r"family|anyone|anybody)\b", r"\b(?:says|said|tells me|told me) (?:it'?s|it is|this is) our (?:little )?secret\b"),
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
                             r"(?:查出|得了|确诊)(?:了)?绝症.{0,10}(?:松(?:了)?(?:一)?口气|解脱|高兴)"),
    "plan_or_means": _rx(r"(?<!开了)(?<!开的)(?<!开)(?<!开了点)(?<!开了些)(?<!开点)(?<!开些)安眠药", r"(?<!感冒)药.{0,10}(?:都|全)?(?:攒|囤)着",
                         r"(?<!感冒)药.{0,8}(?:偷偷)?囤(?:在|起来|着)", r"药.{0,12}(?:一次|一口气)(?:全|都)(?:吃|吞)(?:了|掉|下去)", r"跳楼", r"跳河", r"跳下去", r"割腕", r"上吊", r"绳子(?![^。！？；]{0,6}(?:安全带|安全扣|快挂|主锁|岩点))", r"烧炭", r"喝了?农药", r"遗书",
                         r"攒了.{0,4}药", r"吃了.{0,4}(?:一整瓶|一瓶|所有的?)药", r"吃多少.{0,2}药.{0,4}(?:会死|致死)",
                         r"致死(?:剂)?量", r"楼顶(?!的?(?:露台|花园|餐厅|咖啡|酒吧|健身房|泳池|菜园)(?![^。！？；]{0,6}(?:边上|边缘|栏杆|跳)))", r"刀.{0,4}准备好",
                         r"(?:车里|车库).{0,6}(?:尾气|发动机开着)", r"一氧化碳", r"铁轨上", r"卧轨", r"查.{0,8}(?:最高的|哪座桥最高|多高)", r"一(?:次|口气)?吃.{0,2}一整(?:盒|瓶|板)",
                         r"药.{0,4}吃多少.{0,2}够", r"炭.{0,4}(?:点上|点着|点燃)|(?:点|烧)(?:上|着)?了?.{0,2}炭",
                         r"(?:门窗|窗户|门缝).{0,6}(?:胶带|封死|封好)", r"算好了.{0,14}只(?:有|剩)我一个人", r"不停(?:这|本|我们这)站的.{0,8}(?:几点|什么时候)(?:经过|通过|开过)",
                         r"把.{0,6}(?:药|锂盐|药片)(?:全|都)(?:吃|吞)(?:了|下去)"),
    "method_request": _rx(r"告诉我.{0,8}致死(?:剂)?量", r"(?:哪种|什么)(?:药|止痛药|安眠药).{0,6}最容易.{0,6}(?:死|搞坏|伤肝|衰竭)", r"吃多少.{0,4}(?:会死|能死|致死)", r"怎么死.{0,4}(?:不痛|最快)",
                          r"(?:最快|不痛苦)的(?:死法|自杀方法)", r"多少.{0,8}(?:让|能让|会让)?(?:心脏|心跳)停"),
    "imminent_timing": _rx(r"今晚", r"今天", r"现在", r"马上", r"等下", r"等会", r"正在", r"最后一次",
                           r"已经(?:喝|吃|吞|割|点)", r"药(?:片)?(?:全|都)(?:吃|吞)(?:了|下去)"),
    "self_harm": _rx(r"自残", r"割(?:得)?太深", r"伤害自己", r"割自己", r"划自己", r"自伤", r"又(?:划|割)(?:了|自己|手)"),
    "farewell": _rx(r"永别", r"再见了(?:大家|所有人)", r"把.{0,4}东西(?:都)?送人", r"交代后事", r"(?:安排|计划|准备)(?:好)?(?:了)?我的葬礼",
                    r"(?:安排|准备|料理)(?:好)?(?:了)?后事|后事.{0,3}安排", r"以后(?:就|也)?用不(?:上|着)了", r"(?:清单上)?只剩(?:下)?最后一件事",
                    r"(?:猫|狗|兔子|宠物|鱼|鸟).{0,4}(?:都)?找(?:好)?了?(?:人家|新主人|下家)",
                    # entrusting the people one looks after to someone else
                    r"(?:让|叫|拜托|托)[^，,。！？]{0,4}以后(?:替我|帮我)?(?:好好)?照顾好?(?:我)?(?:妈|爸|爸妈|父母|家人|外婆|奶奶|孩子|猫|狗)"),
    "harm_to_others": _rx(r"杀了(?:他|她|他们|她们)", r"想杀人", r"弄死(?:他|她)", r"报复社会",
                          r"(?:伤害|掐死|闷死|捂死|淹死|摔死)(?:我的|我)?(?:孩子|宝宝|女儿|儿子|小孩)",
                          r"(?:声音|有人)(?:让|叫|命令)我去?(?:伤害|杀|打|捅)",
                          r"(?:幻想|想象|总想|老想)着?(?:把|趁|去)?.{0,8}(?:推下|捅|掐死|杀掉|砍)"),
    "abuse": _rx(r"(?:说|让我|要我).{0,6}(?:这是)?(?:我们|咱们)(?:俩|两个)?的秘密", r"(?:让|叫|要)我(?:别|不要|不许)告诉(?:爸妈|父母|爸爸|妈妈|家里|别人|任何人)", r"家暴", r"(?:他|她|爸|妈|父亲|母亲|老公|男友|丈夫).{0,6}打我", r"性侵", r"虐待我", r"把我(?:关|锁)(?:在|进)"),
}
# idioms and slang removed before matching
IDIOMS = {
    "en": re.compile(r"\bkill(?:ing|ed)? (?:it|time)\b|\bdying (?:to|for)\b|\b(?:will|gonna|going to|would|'ll) kill me\b|"
                     r"\bkills? me\b|\bkilling me\b|\bnearly killed me\b|\b(?:will|gonna|going to|would|'ll) murder me\b|"
                     r"\b(?:bored|scared|frightened|worried) to death\b|\b(?:die|died|dying) (?:of )?laugh(?:ing|ter)\b|"
                     r"\b(?:i'?m|im) (?:literally |actually )?dead\b(?! inside)|"
                     r"\b(?:i'?d|i would) (?:honestly |literally )?rather die than (?!live|living|go on|keep|be alive|feel|wake|spend)|"
                     r"\bto die for\b|\bdead tired\b|"
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
