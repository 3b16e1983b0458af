"""The reply screen's rules, by meaning rather than by phrase: a means with what makes it lethal, a number
with a substance, "you have" with a disorder, urging with an act of self-harm, an insult said to "you", an
order to stop a medicine, advice that restricts or purges. Each rule carries vetoes read in the words
before the match (a negation or hedge in its clause, a reflection or a help line in its sentence) and,
for some, in the rest of its sentence ("...can damage your heart")."""

from __future__ import annotations

from .reply_words import (
    CATEGORIES,
    DANGER_EN,
    DANGER_ZH,
    DOCTOR_AFTER_EN,
    DOCTOR_AFTER_ZH,
    DOCTOR_ZH,
    HEDGE_EN,
    HEDGE_ZH,
    HELP_EN,
    HELP_ZH,
    NEG,
    NEG_EN,
    NEG_ONLY,
    NEG_ZH,
    REFLECT_EN,
    REFLECT_ZH,
    SPEECH_TEXT,
    WORDS,
    rule,
    rx,
)

# fmt: off
# the rules are a table: each rule and its vetoes as written read better than the formatter's layout
_M, _D, _G, _E, _S, _SM, _ED = CATEGORIES

RULES_EN = [
    # -- method details: a means with what makes it lethal, or how to go about it ---------------------------
    rule(_M, r"\b(?:lethal|fatal|deadly|toxic|killing) (?:dose|amount|quantity|level|dosage)s?\b",
       r"\b(?:overdos(?:e|ing)|od) on (?:your|the|those|these|some|a|my|all)\b", near=NEG_ONLY, far=HELP_EN),
    rule(_M, r"\b<MEANS>\b[^.!?;]{0,80}?\b<LETHAL>", r"\b<LETHAL>[^.!?;]{0,80}?\b<MEANS>\b", near=NEG_ONLY, far=HELP_EN,
       after=rx(r"\b(?:please|call|emergency|988|hotline|not true|myth)\b")),
    rule(_M, r"\bhow (?:to|you (?:could|can|would|might)) (?:kill yourself|end (?:your life|it(?: all)?|things)|die|"
           r"hang yourself|overdose|take your (?:own )?life|commit suicide|go through with it)\b",
       r"\b(?:best|easiest|quickest|fastest|surest|most reliable|most effective|least painful|painless|gentlest|quietest|quieter|"
       r"cleanest|simplest) (?:ways?|methods?|means|places?|options?|spots?) (?:to (?:die|go|do it|end (?:it|your life|things)|"
       r"kill yourself|commit suicide|overdose|jump)|of (?:dying|suicide|killing yourself|ending (?:it|your life))|for (?:suicide|dying|"
       r"ending it))\b",
       r"\b(?:quiet|quieter|quietest|gentle|gentler|gentlest|painless|peaceful|easy|easier|easiest|quick|quicker|quickest|clean|"
       r"cleaner|cleanest) ways? to go\b", near=NEG_ONLY, far=HELP_EN),
    rule(_M, r"\btie (?:it|the (?:rope|belt|cord|sheet|noose)|a (?:noose|knot))\b[^.!?;]{0,60}\b(?:door|beam|ceiling|rail|hook|neck|"
           r"lean|tight|pipe|banister|consciousness)",
       r"\b(?:charcoal|carbon monoxide|exhaust|(?:run(?:ning)?|start(?:ing)?|leav(?:e|ing)) the (?:engine|car)|helium|gas oven)\b"
       r"[^.!?;]{0,80}\b(?:closed|sealed|tape[ds]?|shut|garage|bathroom|bag|tent|quiet\w*|painless|works?|way to go|go to sleep|"
       r"nobody|no one)\b",
       r"\b(?:step(?:ping)?|jump(?:ing)?|walk(?:ing)?|lie|lying) (?:in front of|onto) (?:a |the )?(?:train|tracks|subway|freight|"
       r"express|bus|truck|lorry)\b",
       r"\b(?:could|can|should|just|try|go) (?:jump|leap|throw yourself) (?:off|from)\b",
       r"\bwait (?:for|until) the (?:non-stop|express|freight|fast|next fast) (?:trains?|service)\b", r"\bedge of the platform\b",
       r"\b(?:express|freight|non-stop|fast|high-speed) (?:trains?|service)\b[^.!?]{0,60}\b(?:doesn'?t (?:slow|stop)|can'?t stop|"
       r"won'?t stop|instant|in time|slow down)",
       r"\b(?:drink|drinking|swallow\w*|eat|ingest\w*)\b[^.!?;]{0,15}\b(?:antifreeze|bleach|pesticide|weed ?killer|rat poison|"
       r"cyanide|paraquat)\b",
       r"\b(?:antifreeze|bleach|pesticide|paraquat|cyanide|rat poison)\b[^.!?;]{0,60}\b(?:hard to treat|can'?t be|takes (?:a|\w+) "
       r"(?:day|days|hours?)|kills?|die|fatal|lethal|works)\b",
       r"\b(?:cut\w*|slit\w*|slic\w*|slash\w*)\b[^.!?;]{0,40}\b(?:lengthwise|vertical(?:ly)?|along the (?:vein|artery|arm)|"
       r"down the (?:arm|vein)|deep(?:ly|er)? (?:enough|into)|femoral|arter(?:y|ies)|in a (?:warm |hot )?bath)",
       r"\b(?:lengthwise|vertically)\b[^.!?;]{0,30}\b(?:cut|slit|vein|wrist)",
       r"\b(?:slit|slash|open) (?:your|the) (?:wrists?|veins?|throat|arter(?:y|ies))\b",
       r"\b(?:somewhere|someplace|a place|a time|so that|make sure|ensure)\b[^.!?;]{0,20}\b(?:nobody|no one|no-one)\b[^.!?;]{0,20}"
       r"\b(?:will |would |can |could )?(?:find|finds|stop|stops|save|saves|interrupt|comes? (?:home|in|back)|pull you out)",
       r"\b(?:the )?(?:bravest|kindest|best|right|only) thing (?:to do |you can do )?(?:is|would be) (?:to )?(?:choose your (?:own )?exit|"
       r"end (?:it|your life|things)|die|kill yourself|take your (?:own )?life)\b",
       near=NEG_ONLY, far=rx(HELP_EN, REFLECT_EN)),
    # -- dosing: a number or a lot of a substance, more than prescribed, or with alcohol -------------------
    rule(_D, r"\b(?:take|taking|try|swallow\w*|up to|increase|go up|raise|double|use|have|pop|add)\b[^.!?;]{0,25}?\b\d+(?:\.\d+)?\s?"
           r"(?:mg|milligrams?|mcg|micrograms?|ml)\b",
       r"\b\d+(?:\.\d+)?\s?(?:mg|milligrams?|mcg|micrograms?|ml)\b[^.!?;]{0,25}\b(?:would|will|should|is enough|won'?t hurt|is fine|"
       r"is safe|a day|at once|to sleep|tonight)\b", near=NEG_ONLY),
    rule(_D, r"\b(?:take|taking|swallow\w*|pop|popping|down|try|have|use|crush\w*|chew|add)\b[^.!?;]{0,30}?\b<NUMQ>",
       r"\b<NUMQ>[^.!?;]{0,50}\b(?:enough|fatal|lethal|kill|"
       r"would do|will do|do it|knock|won'?t hurt|can'?t hurt|is fine|are fine|harmless|safe|shut down|should|will|would|"
       r"take the edge off|help you sleep|calm you)\b",
       r"\b<NUM> (?:more|extra)\b(?:\s+\w+){0,3}?\s+<SUBST>\b",
       r"\b(?:the |a )?whole (?:bottle|pack|packet|box|strip|blister|sheet|jar|container)\b",
       r"\bas many (?:of (?:the|your|those) )?<SUBST> as\b",
       r"\b(?:double|triple|quadruple|twice|three times|increase|raise|doubling (?:the|your)|tripling (?:the|your))\b[^.!?;]{0,25}\b(?:dose|dosage|doses|"
       r"what (?:the|your) (?:doctor|psychiatrist|prescriber)|prescribed)\b",
       r"\b(?:double|triple) up\b", r"\b(?:double|triple|quadruple) (?:your|the) \w+",
       r"\b<SUBST>\b[^.!?;]{0,40}\b(?:with|and|plus|alongside|washed down with|mixed with)\s+(?:a |some |a glass of |a bottle of |"
       r"a shot of |a few )?(?:\w+ )?(?:alcohol|vodka|whiskey|whisky|wine|beer|liquor|booze|drinks?|rum|gin|tequila)\b",
       r"\b(?:mix|mixing|combine|combining)\w*\b[^.!?;]{0,30}\b<SUBST>\b[^.!?;]{0,30}\b(?:alcohol|vodka|whiskey|whisky|wine|beer|"
       r"liquor|booze|drinks?)\b",
       r"\b<SUBST>\b[^.!?;]{0,30}\b(?:at once|all at once|in one go)\b", r"\b(?:at once|all at once|in one go)\b[^.!?;]{0,30}\b<SUBST>\b",
       r"\b(?:take|taking|swallow\w*|inject\w*|use) (?:all|every one|every single one|the rest) of (?:your|the|those|these)\s+(?:\w+\s+)?"
       r"<SUBST>", near=NEG_ONLY,
       far=rx(HELP_EN, r"\b(?:(?:doctor|psychiatrist|prescriber|gp)s? (?:may|might|can|could|will|would)|ask (?:your|a)|talk (?:to|with)|"
                        r"with your (?:doctor|prescriber)|don'?t|do not|never|shouldn'?t|should not|not to|dangerous|avoid)\b")),
    # -- diagnosis stated as fact ----------------------------------------------------------------------------
    rule(_G, r"\byou(?:'re|'ve| are| have)?\s+(?:(?:clearly|definitely|obviously|certainly|probably|really|already|just|both|also|are|"
           r"have|got|likely|absolutely|undoubtedly)\s+)*(?:have|has|got|suffer\w*(?: from)?|dealing with|meet\w* (?:the )?criteria "
           r"for|fit\w* the criteria for)\s+(?:(?:an?|the|classic|textbook|full-blown|severe|clear|some form of|a form of|a case of|"
           r"a bad case of)\s+)*<COND>\b",
       r"\byou(?:'re| are)\s+(?:(?:clearly|definitely|obviously|certainly|probably|really|just|so|severely|clinically|totally|"
       r"completely)\s+)*<PERSON>\b",
       r"\b(?:what you(?:'re| are) describing|what you describe|what you have|your (?:symptoms|behaviou?r|mood swings|condition)|"
       r"those mood swings)(?:'s| is| are| sounds? like| fits?| match(?:es)?| points? to)\s+(?:(?:obviously|clearly|"
       r"definitely|classic|textbook|typical|just|exactly|certainly|pure|a (?:classic |textbook |clear )?case of)\s+)+<COND>\b",
       r"\b(?:this|that|it)(?:'s| is)\s+(?:(?:obviously|clearly|"
       r"definitely|classic|textbook|typical|just|exactly|certainly|pure|a (?:classic |textbook |clear )?case of)\s+)+<COND>\b",
       r"\b(?:what you(?:'re| are) describing|what you describe|what you have|your symptoms)(?: is| are| sounds? like| fits?| "
       r"match(?:es)?| points? to)\s+<COND>\b",
       r"\b(?:this|that|it)(?:'s| is)\s+(?:\w+\s+)?<STRONG>\b", r"\b(?:classic|textbook|full-blown) <STRONG>\b",
       r"\b(?:i can tell|i'?m (?:sure|certain|confident|positive)|i know|no doubt|there'?s no (?:doubt|question)|trust me|"
       r"it'?s obvious|obviously|clearly)\b[^.!?;]{0,30}\b(?:you(?:'ve| have| are|'re)?|it'?s|that'?s)\s+(?:\w+\s+){0,2}?"
       r"(?:<COND>|<PERSON>)\b",
       near=rx(NEG, REFLECT_EN, r"\b(?:if|whether|when|while|unless)\b"), far=rx(HEDGE_EN, r"\b(?:you (?:said|say|mentioned|"
                                                                                           r"told me|described|shared)|as you said|feel\w*|believe\w*|worr\w*|afraid|wonder\w*)\b"),
       quotes=True),
    # -- urging or approving self-harm or suicide ------------------------------------------------------------
    rule(_E, r"\b(?:(?:they|everyone|everybody|people|the world|your (?:family|parents|kids|children|friends|partner|wife|husband|"
           r"mum|mom|dad))(?:'d| would| will| might| may)? (?:all |honestly |probably |really |actually |even )?(?:be )?(?:better off|"
           r"happier|relieved|fine|lighter) (?:without you|if you(?:'re| were| are)? (?:gone|dead|not here|not around)|when you(?:'re| are)? "
           r"gone|once you(?:'re| are)? gone))",
       r"\bno(?:body| one)(?: would| will| is going to)? (?:even )?(?:notice|care|miss you|blame you|mind)\b[^.!?;]{0,50}\b(?:gone|"
       r"dead|died|die|ending it|end it|kill\w*|suicide|not here|weren'?t here|disappeared)\b",
       r"\b(?:if you (?:were gone|died|killed yourself|ended it)|after you(?:'re| are)? gone|when you(?:'re| are)? gone)[^.!?;]{0,40}"
       r"\bno(?:body| one)(?: would| will)? (?:even )?(?:notice|care|miss you|mind)\b",
       r"\b(?:you (?:should|could|can|might as well|may as well|ought to|have every right to)|just|go (?:ahead|on)(?: and)?,?|"
       r"why (?:not|don'?t you)|feel free to|it'?s (?:okay|ok|fine|alright|time) to|it'?s (?:your|a) (?:right|choice) to|"
       r"i (?:support|respect) (?:your (?:choice|decision) to|you if you)|time to|might be time to)\s+(?:(?:just|finally|go|simply|"
       r"really|now)\s+)*(?:kill yourself|end (?:it(?: all)?|your life|things|your suffering)(?! with)|take your (?:own )?life|"
       r"commit suicide|hurt yourself|cut yourself|burn yourself|harm yourself|starve yourself|die|give up (?:on life|for good)|"
       r"let go for good|go through with it|(?:finally )?rest (?:for good|forever)|end the pain for good|disappear for good)\b",
       r"\bgo (?:ahead|on),? (?:and )?do it\b", r"\b(?:give up|let go)(?: now)? and (?:finally )?rest (?:for good|forever)\b",
       r"\b(?:death|dying|suicide|ending (?:it|your life|things)|letting go(?! of)|(?:choosing|choose) your (?:own )?(?:exit|ending|time)|"
       r"killing yourself|taking your (?:own )?life|leaving this world|(?:decision|choice|plan|wish|right) to (?:die|end (?:it|your life|"
       r"things)|kill yourself|take your (?:own )?life))\b[^.!?;]{0,30}\b(?:is|would be|could be|might be|may be|really is|seems|"
       r"sounds)\s+(?:(?:really|truly|honestly|probably|maybe|simply|just|actually|perhaps)\s+)*(?:the |a |an |your )?(?:(?:only|"
       r"best|kindest|right|real|reasonable|valid|brave|bravest|sensible|rational|logical|peaceful|merciful|natural|understandable|"
       r"good|wise) )*(?:answer|solution|way out|option|choice|relief|release|escape|freedom|peace|mercy|gift|thing to do|kindest "
       r"thing|brave|bravest|valid|reasonable|rational|right|okay|fine|understandable)\b",
       r"\b(?:die|dying|death|suicide|end (?:it|your life)|ending (?:it|your life)|exit|kill yourself|take your (?:own )?life|end "
       r"things)\b[^.!?]{0,60}\bi (?:fully |completely |totally )?(?:respect|support|accept) (?:that|your (?:decision|choice|plan)|it|"
       r"you)\b",
       r"\byou (?:don'?t|do not) deserve to live\b",
       r"\byou deserve to (?:die|suffer|feel (?:that|this|the) pain|be hurt|hurt|be punished|be in pain)\b",
       r"\bit'?s (?:completely |totally |perfectly |quite )?(?:okay|ok|fine|normal|understandable|great|good|alright) "
       r"(?:that you(?:'re| are) |to (?:keep )?|you(?:'re| are) )(?:burning|cutting|hurting|harming|starving|hitting|burn|"
       r"cut|hurt|harm|starve|hit) yourself\b",
       r"\b(?:self[- ]harm\w*|cutting|burning yourself|hurting yourself|harming yourself)\b[^.!?;]{0,30}\b(?:is|can be|are|it'?s)\s+"
       r"(?:(?:a|an|actually|really|totally|perfectly|completely|quite|very|pretty)\s+)*(?:healthy|good|great|fine|okay|valid|effective|"
       r"useful|helpful|harmless|natural|reasonable|safe|no big deal)\b",
       r"\b(?:cuts?|cutting|burns?|burning|scratch(?:es|ing)|self[- ]harm\w*|hurting yourself|harming yourself)\b[^.!?;]{0,50}\b(?:isn'?t|"
       r"is not|aren'?t|are not) (?:a |that )?(?:big deal|that bad|a problem|serious|dangerous|harmful)\b",
       r"\bif (?:cutting|burning|hurting yourself|harming yourself|self[- ]harm\w*)\b[^.!?;]{0,50}\b(?:then )?(?:keep (?:doing it|going|cutting|at it)|"
       r"go ahead|do it|that'?s (?:fine|okay)|it'?s (?:fine|okay))\b",
       r"\bkeep (?:on )?(?:hurting|cutting|burning|harming|starving|punishing) yourself\b",
       r"\b(?:there'?s|there is) no (?:point|use|reason) (?:in |to )?(?:trying|living|going on|fighting|staying|carrying on|getting help)\b(?! to\b)",
       r"\b(?:you(?:'re| are) (?:beyond help|a lost cause|beyond saving)|no one can help you|nothing (?:will|can) (?:ever )?help you|"
       r"it(?:'s| is) too late for you)\b",
       r"\b(?:dying|death|suicide|ending it)\b[^.!?;]{0,20}\b(?:would|will|could) (?:finally |truly |really )?(?:give|bring|grant|set) "
       r"you (?:the )?(?:peace|relief|rest|freedom|release|free)\b",
       near=NEG_ONLY, far=rx(REFLECT_EN, r"\b(?:if you(?:'re| are)? (?:feeling|thinking)|urges?|instead|safe)\b"), quotes=True),
    # -- shaming and blaming -------------------------------------------------------------------------------------
    rule(_S, r"\byou(?:'re| are)\s+(?:(?:being|so|just|such|really|honestly|truly|completely|totally|acting|a little|a bit|too|"
           r"way too|clearly|obviously|simply|kind of|kinda|pretty|rather|quite)\s+)*(?:like\s+)?<INSULT>\b",
       r"\bgrow up(?=\s*[.!;,]|\s+and\b|$)", r"\b(?:get over (?:it|yourself)|snap out of it|man up|toughen up|suck it up|pull yourself together|"
       r"(?:stop|quit) (?:whining|complaining|moaning|sulking|being (?:so )?(?:dramatic|sensitive|a baby|lazy|selfish|weak|pathetic)|"
       r"feeling sorry for yourself|making excuses|playing the victim))\b",
       r"\b(?:(?:it'?s|it is|this is|that'?s|that is) (?:all |entirely |totally |completely )?your (?:own )?fault|you (?:brought|did) "
       r"(?:this|it|all this|most of this|this all|that) (?:on|to) yourself|you only have yourself to blame|you(?:'ve| have) (?:only )?"
       r"(?:got )?yourself to blame|you (?:deserved|asked for) (?:it|this|that|what you got)|you deserve (?:what you got|to be (?:alone|"
       r"dumped|left|hurt|unhappy|miserable|lonely))|serves you right|you had it coming|what'?s wrong with you|what is wrong with you|"
       r"(?:other|many|most) people have (?:it )?(?:(?:much|way|far) )?(?:worse|real problems|bigger problems|actual problems|it harder)|"
       r"(?:people|others) (?:have it|are) (?:much |way |far )?worse off|first[- ]world (?:problems?|complaints?)|"
       r"(?:a |just (?:a )?)?(?:cry|plea|bid|ploy) for attention|(?:it'?s|this is|that'?s) all in your head|"
       r"normal people (?:just|would|don'?t|can)|(?:such a |a )?(?:stupid|silly|dumb|petty|ridiculous|trivial) (?:thing|reason|"
       r"problem) to (?:be upset|cry|worry|complain|get upset)|you (?:never|don'?t ever) listen)\b",
       r"\bno wonder (?:nobody|no one|people|your (?:friends|partner|family|boyfriend|girlfriend|wife|husband|boss|parents)|everyone|"
       r"they|he|she) (?:left|stopped|doesn'?t|don'?t|won'?t|hates?|avoids?|can'?t stand|dumped|ignores?|leaves?|broke up)",
       r"\bplenty of people\b[^.!?;]{0,60}\b(?:don'?t|do not|without) (?:fall(?:ing)? apart|complain\w*|cry\w*|break\w* down|whin\w*)",
       near=rx(NEG_EN.pattern, REFLECT_EN, r"\b(?:how did|what makes you|conclusion|like|mean|ask|why|shouldn'?t|no one should|nobody should|label\w*|remind\w*|"
                                             r"might|may|pressure|expect\w*|compar\w*|we|as)\b"),
       far=rx(REFLECT_EN, r"\b(?:tells? (?:you|us)|things like|voice|critic|thinks?|call(?:s|ed)? you)\b"), quotes=True),
    # -- stopping medication -----------------------------------------------------------------------------------------
    rule(_SM, r"\b(?:stop|quit|ditch|drop|skip|come off|get off|go off|throw (?:away|out)|flush|bin|toss|chuck|cut out|wean (?:yourself )?off|"
            r"give up|abandon|forget(?: about)?)\s+(?:taking\s+|using\s+)?(?:(?:all|of|your|the|those|these|that|this|any|their|evening|"
            r"morning|nightly|daily|next|tonight'?s|today'?s|\w+'s)\s+){0,3}(?:\w+\s+)?<MEDS>\b",
       r"\b(?:throw|toss|chuck|flush)\s+(?:(?:all|your|the|those|these)\s+)*(?:\w+\s+)?(?:<MEDS>|them|it)\s+(?:away|out|down the "
       r"(?:toilet|drain)|in the (?:trash|bin|garbage))\b",
       r"\bcold turkey\b",
       r"\byou (?:don'?t|do not|no longer|never) (?:really |even |actually )?need (?:to take )?(?:(?:your|the|those|these|any|that|"
       r"this|all that|all those)\s+)?(?:\w+\s+)?<MEDS>\b",
       r"\b<MEDS>\b[^.!?;]{0,20}\b(?:is|are)\s+(?:(?:just|only|really|basically|all|nothing but|simply)\s+)*(?:a |an )?(?:poison|poisonous|"
       r"toxic|a scam|scam|a crutch|crutch|a lie|fake|a trap|useless|pointless|making you worse|holding you back|numbing you|ruining "
       r"you|killing you|bad for you|for the weak|unnatural)\b",
       r"\b(?:don'?t|do not) take (?:your|the|those|any) <MEDS>\b(?! (?:on an empty stomach|with|more|twice|at night|late))",
       r"\b(?:one |a )?missed (?:pill|dose) never hurt\b",
       near=rx(NEG_EN.pattern, r"\b(?:without|before|shouldn'?t|careful|decid\w*|decision|want\w* to|wish\w* to|plan\w* to|"
                                r"thinking (?:about|of)|consider\w*|thought about|tempt\w*|suddenly|abruptly|safely|gradually|you said|you mentioned|"
                                r"helps? you|taper\w*|reasons?|feel (?:like|that)|worr\w*|afraid)\b"),
       far=rx(r"\b(?:(?:talk|speak|check|consult)\w* (?:to|with) (?:your|a) (?:doctor|prescriber|psychiatrist|gp|pharmacist)|with your "
               r"(?:doctor|prescriber|psychiatrist)|(?:doctor|prescriber|psychiatrist|gp) (?:can|could|may|might|will|would)|under "
               r"(?:medical )?supervision|medical advice|some people (?:say|think|believe)|myth|you may have heard|told you)\b"),
       after=DOCTOR_AFTER_EN),
    # -- eating disorders: restriction, purging, compensating, hiding it ------------------------------------------
    rule(_ED, r"\b(?:under|below|less than|fewer than|no more than|at most|max(?:imum)?(?: of)?|only|keep it (?:under|below|to)|"
            r"stay (?:under|below|at)|stick to|cap (?:it|yourself) at|limit yourself to)\s+(?:about |around )?(?:[1-9]\d{1,2}|1[01]\d\d)\s*"
            r"(?:k?cals?|calories|kcal)\b",
       r"\b(?:[1-9]\d{1,2}|1[01]\d\d)\s*(?:k?cals?|calories)\s+(?:a|per) day\b",
       r"\b(?:make|get|force|let) yourself (?:throw up|vomit|be sick|puke|sick)\b",
       r"\b(?:throw(?:ing)? up|vomit(?:ing)?|purg(?:e|ing)|puk(?:e|ing)|induce vomiting)\b[^.!?;]{0,40}\b(?:after (?:you eat|eating|"
       r"meals?|a binge|bingeing|dinner|lunch)|to (?:lose|undo|get rid|stay|keep|avoid|compensate)|undo|get rid of|stay (?:thin|slim)|"
       r"won'?t gain|one way|good way|the easiest way|helps?)\b",
       r"\b(?:laxatives?|diuretics?|diet pills|water pills|appetite suppressants?|ipecac)\b[^.!?;]{0,50}\b(?:help|good|great|way|get rid|"
       r"stay|lose|losing|weight|flush|on track|undo|after)\b",
       r"\b(?:take|use|try)\s+(?:some )?(?:laxatives?|diuretics?|diet pills)\b",
       r"\b(?:skip(?:ping)?|cut out|drop|go without)\s+(?:(?:\w+|your|a)\s+)?(?:meals?|breakfast|lunch|dinner|supper|eating|food)\b",
       r"\bonly (?:eat|have) (?:one|a single|a small|1|once|half)\b", r"\bone (?:small )?meal a day\b",
       r"\beat (?:less|nothing)\b[^.!?;]{0,30}\b(?:whenever|every time|until|and you'?ll|to lose)\b",
       r"\b(?:fast(?:ing)?|water fast(?:ing)?) for (?:\w+ )?(?:days?|\d+ hours|a week)\b", r"\bstop eating\b",
       r"\b(?:drink|drinking|chew|chewing|have|sip|smoke)\b[^.!?;]{0,40}\b(?:water|coffee|gum|tea|diet soda|ice|cigarettes?)\b[^.!?;]{0,40}"
       r"\b(?:instead of eating|so you (?:feel full|eat less|don'?t eat|can skip|won'?t eat)|to (?:feel full|suppress|curb|kill|trick|fool|"
       r"numb)|when you(?:'re| are| feel) hungry|feel full)",
       r"\b(?:suppress|curb|kill|trick|fool|ignore) (?:your )?(?:hunger|appetite)\b",
       r"\b(?:hide|hiding|sneak|throw away|toss|dump)\b[^.!?;]{0,30}\b(?:food|meals?|dinner|lunch|breakfast|napkin)\b",
       r"\b(?:so|that way) (?:your )?(?:\w+ ){0,2}(?:won'?t|don'?t|doesn'?t|can'?t|will not) (?:notice|see|know|find out|realize)\b"
       r"[^.!?;]{0,40}\b(?:weight|eat|eating|thin|food|lost|body)\b",
       r"\b(?:wear|wearing) (?:loose|baggy|big|oversized|layers)\b[^.!?;]{0,40}\b(?:notice|see|hide|won'?t|so)\b",
       r"\bdon'?t (?:tell|let) (?:your )?(?:doctor|parents|family|mum|mom|dad|therapist|dietitian|anyone|friends)\b[^.!?;]{0,40}"
       r"\b(?:eat|eating|weight|food|little|thin|lost|purg\w*|skip\w*)\b",
       r"\b(?:you'?d|you would|you'?ll|you will|you could) (?:look|be|feel)\s+(?:(?:so|much|a lot|way|even)\s+)*(?:better|happier|"
       r"prettier|more attractive|hotter|sexier|good)\b[^.!?;]{0,30}\b(?:if|when|once) you (?:lost|lose|were|got|get|dropped|drop) "
       r"(?:thinner|skinnier|smaller|more weight|weight|another|a few|\d+|ten|five)",
       r"\b(?:lose|lost|drop) (?:another|a few more|\d+ more|\w+ more) (?:pounds|lbs|kilos|kg|kilograms)\b",
       r"\bif you were (?:thinner|skinnier|smaller)\b", r"\b(?:almost|nearly|so close to) (?:at |to )?(?:your )?goal weight\b",
       r"\bkeep (?:restricting|starving|fasting|purging)\b",
       r"\b(?:burn(?:ed)? off|work off|exercise (?:off|away))\s+(?:everything|all|every calorie|what(?:ever)?) you (?:ate|eat|had)\b",
       r"\bexercise until\b[^.!?;]{0,30}\b(?:burn\w*|ate)\b",
       r"\bweigh yourself (?:\w+ ){0,2}(?:times a day|every (?:morning and night|few hours|meal))",
       r"\bchew(?:ing)?\b[^.!?;]{0,30}\bspit(?:ting)? (?:it )?out\b",
       near=rx(NEG_EN.pattern, r"\b(?:important|try not|(?:might|may|could)(?! try| want to| consider)|tend to|you(?:'ve| have) been|urge|instead|feel\w* like|if you)\b"),
       far=rx(DANGER_EN.pattern, r"\b(?:eating disorder service|dietitian|therapist|doctor)\b"), after=DANGER_EN),
]

_ZEND = r"[^。！？!?；;]"  # within one sentence
RULES_ZH = [
    # -- method details ---------------------------------------------------------------------------------------
    rule(_M, r"(?:<ZNUM>|高)(?:楼|层)(?:以上|那么高|的高度)?.{0,12}(?:没救|活不了|活不成|必死|就够|足够|不可能活|没有生还|没有活|生还的可能|肯定死|基本)",
       r"(?:跳下去|掉下去|摔下去|跳下来|跳楼|跳桥|跳河|跳江|跳海|坠楼|落下去)" + _ZEND + r"{0,14}(?:没救|活不了|活下来|活下去的|生还|必死|就够|足够|"
       r"很少|基本|肯定|死|没人能活|就可以了|高度|最快|不会有(?:太多|什么)?痛苦|不痛|没有痛苦)",
       r"(?:割腕|上吊|自缢|烧炭|跳楼|卧轨|服毒|喝农药|吃安眠药|开煤气|跳河|跳桥|投河|溺水|割动脉|吞药|服药自杀|过量服药)(?:的话|的方法|的时候|时|要|是|最|"
       r"比较|前|之前|也可以|也行|就|的人)" + _ZEND + r"{0,20}?(?:方法|方式|要|最|不痛|没(?:有)?痛苦|无痛|安静|快|有效|稳|容易|可靠|救不回来|很难救|选择|"
       r"关键|系|封|先|足够|就行|就可以|才能)",
       r"(?:烧炭|炭|煤气|尾气|发动机|车库|发动车)" + _ZEND + r"{0,30}(?:门窗|窗户|门缝|窗缝|卷帘门|车门|车窗|胶带|封住|封死|关上)",
       r"(?:门窗|窗户|门缝|窗缝|卷帘门)" + _ZEND + r"{0,20}(?:封|胶带|关)" + _ZEND + r"{0,20}(?:炭|煤气|尾气|发动)",
       r"尾气.{0,10}(?:睡过去|死|走|就能|就行)",
       r"(?:顺着|沿着|竖着|纵向|竖)(?:血管|手腕|动脉)?.{0,4}(?:割|划|切)", r"(?:割|划|切)(?:开|破|断)?.{0,6}(?:动脉|静脉|血管|手腕内侧)",
       r"失血过多", r"(?:浴缸|热水)里.{0,4}(?:割|划)",
       r"(?:绳子|绳索|绳套|皮带|围巾|数据线).{0,6}(?:系|挂|绑|拴)(?:在|到)", r"(?:系|挂|绑)(?:在|到)(?:门把手|门框|横梁|房梁|吊扇|暖气管|高处|高一点)",
       r"(?:农药|百草枯|敌敌畏|老鼠药|毒鼠强|氰化物|除草剂|毒药).{0,12}(?:喝|吃|救不回来|很难救|救不了|没救|选|致命|必死|就行|足够)",
       r"(?:喝|吃|服)(?:下)?(?:农药|百草枯|敌敌畏|老鼠药|毒鼠强|毒药)",
       r"(?:列车|火车|地铁|快车|高铁|动车)" + _ZEND + r"{0,12}(?:停不下来|刹不住|最快|来不及|进站的时候|撞上)",
       r"屏蔽门.{0,8}(?:缺口|没关|跳|空隙)",
       r"(?:选|挑)(?:一个|个)?[^。！？!?，,]{0,6}没(?:有)?人的(?:时候|地方)" + _ZEND + r"{0,20}(?:发现|救|发动|车库|跳|吃药|割|烧炭|就不会|动手)",
       r"(?:这样|才)?(?:就)?不会被(?:人)?(?:发现|救下来|救回来)",
       r"(?:告诉你|教你|给你说说)(?:怎么|如何)(?:自杀|死|结束(?:自己的)?生命|离开)", r"怎么(?:自杀|死)(?:最|才|比较)?(?:不痛|快|舒服|无痛|有效)",
       r"(?:最|比较)?(?:无痛|不痛苦|没有痛苦|快|安静|有效|可靠|稳妥|舒服)的?(?:死法|自杀方(?:法|式)|离开方式)", r"无痛地?(?:离开|死|走|结束)",
       r"(?:心跳|心脏)(?:就会|就)?停(?:下来|止|掉)", r"致死(?:剂)?量",
       near=NEG_ZH, far=HELP_ZH),
    # -- dosing ----------------------------------------------------------------------------------------------------
    rule(_D, r"<ZNUM>\s?(?:毫克|微克)", r"\d+\s?(?:片|粒|颗)", r"(?<=[吃服吞嗑])<ZNUM>(?:片|粒|颗|板|盒|瓶)", r"(?<=[吃服吞嗑][了到下个])<ZNUM>(?:片|粒|颗|板|盒|瓶)",
       r"<ZSUB>.{0,8}<ZNUM>(?:片|粒|颗|板|盒|瓶|毫克)", r"<ZNUM>(?:片|粒|颗)(?:的)?<ZSUB>",
       r"(?:剂量|药量|量).{0,6}(?:加倍|翻(?:一)?倍|翻番|加到|加大)", r"(?:自己|私自|偷偷|擅自)?加量(?:就行|吧|没事|没关系|也行)",
       r"多吃(?:几|两|一)?(?:片|粒|颗)", r"<ZSUB>" + _ZEND + r"{0,10}多吃(?:点|些|几)", r"吃一把", r"一把(?:安眠药|药)",
       r"一整(?:瓶|盒|板|袋)", r"半瓶<ZSUB>",
       r"(?:<ZSUB>).{0,12}(?:配|和|加|混|就着|兑|一起).{0,4}(?:酒|白酒|红酒|啤酒|洋酒)", r"(?:酒).{0,8}(?:和|配|一起).{0,8}(?:<ZSUB>)",
       r"(?:一次|一口气|全部|全都)(?:吃|吞|服)(?:完|下|掉|了)?.{0,4}(?:一整|整|所有|全部|一瓶|一盒|一板|半瓶)",
       near=NEG_ZH, far=rx(r"医生(?:会|可以|可能)|遵医嘱|在医生|咨询|危险|请|急救|如果你(?:已经)?(?:吃|服)")),
    # -- diagnosis stated as fact -----------------------------------------------------------------------------------
    rule(_G, r"你(?:这|这个|这种)?(?:情况|样子|表现|症状)?(?:就|肯定|明显|显然|绝对|一定|确实|完全|百分之百|已经|其实|无疑)*(?:就是|是|有|得了|得的是|"
           r"患有|患了|患上了?|属于|符合|得的|有了)(?:了)?(?:典型的|很典型的|严重的|重度的?|轻度的?|中度的?|一种|明显的|标准的)?<ZCOND>",
       r"(?:你的|你这)(?:情况|症状|表现|状态|问题)(?:就|完全|明显|肯定|确实)*(?:就是|是|属于|符合|完全符合)(?:典型的|标准的)?.{0,4}<ZCOND>",
       r"(?:可以|能|敢)?(?:确定|肯定|断定|确诊|诊断)(?:你|您)(?:就)?(?:是|有|得了|患有|患了|为)",
       r"(?:这|这是)(?:就是|明显是|肯定是|典型的)+<ZCOND>",
       near=HEDGE_ZH, far=rx(r"为什么|可能|也许|或许|如果|是否|是不是|担心|怀疑|被诊断|确诊为|诊断为|" + SPEECH_TEXT), quotes=True),
    # -- urging or approving self-harm or suicide ----------------------------------------------------------------------
    rule(_E, r"(?:你)?(?:应该|不如|干脆|就|那就|那你就|那|可以|还是|赶紧|快)(?:去)?(?:死|自杀|结束(?:自己的)?生命|了结(?:自己)?|一了百了|"
           r"离开这个世界)(?:吧|了吧|好了|算了|也好)?(?![亡刑板角心])",
       r"(?:死|死亡|离开|走|结束(?:自己的)?生命|自杀|了结|一了百了|放弃生命|离开这个世界)(?:(?!不|没|并非|未必|绝不)[^。！？!?，,]){0,8}(?:才是|就是|是|也是|算是|不失为)(?:一种|"
       r"真正的|最好的|唯一的)?(?:解脱|勇敢|出路|办法|选择|归宿|正确的选择|好事|明智)",
       r"早点?(?:解脱|走|离开)(?:也好|吧|算了|更好)",
       r"(?:没有你|你不在了?|你走了|你离开(?:了)?|你死了)(?:以后|之后)?" + _ZEND + r"{0,10}(?:会|都会|反而会|就会)?(?:过得)?(?:更好|轻松|解脱|开心|省心|清净)",
       r"没(?:有)?(?:人|谁)(?:会)?(?:在乎|在意|关心|想你|怪你|发现|注意到)" + _ZEND + r"{0,10}(?:活着|死|走|离开|放弃|不在)",
       r"(?:活着|死|走了|离开|放弃)" + _ZEND + r"{0,12}没(?:有)?(?:人|谁)(?:会)?(?:在乎|在意|怪你)",
       r"(?:支持|尊重|理解并支持|赞成|同意)你(?:的)?(?:决定|选择|想法)?" + _ZEND + r"{0,6}(?:结束|死|自杀|离开|了结|放弃生命)",
       r"(?:结束|死|自杀|离开|了结)" + _ZEND + r"{0,24}(?:的)?(?:决定|选择)" + _ZEND + r"{0,6}(?:我)?(?:支持|尊重|赞成)",
       r"(?:自残|自伤|伤害自己|划自己|割自己|烫自己|划手|割手|打自己)(?:行为)?(?:是|算是|也是|不失为)(?:一种)?(?:很好的|不错的|有效的|正常的|"
       r"健康的)?(?:发泄|方式|办法|解压|释放)",
       r"(?:割|划|烫|掐)(?:一下|几下|两下|自己)" + _ZEND + r"{0,10}(?:舒服|好受|缓解|放松|清醒)",
       r"(?:那就|就|继续)(?:划|割|烫|伤害自己|打自己)(?:吧|自己吧|下去)", r"继续(?:划|割|烫|伤害)自己",
       r"(?:伤害自己|自残|划|割|烫)" + _ZEND + r"{0,12}继续(?:吧|下去)",
       r"(?:烫|划|割|伤|打)" + _ZEND + r"{0,20}(?:能让你好受|不算什么(?:大事)?|没什么大不了|不要紧)",
       r"你(?:活该|值得|就该|应该)(?:受|承受)(?:这些|这种)?(?:痛|苦|惩罚)",
       r"活着(?:对你来说)?(?:确实|真的|本来就|的确)?(?:没有|没)(?:什么)?(?:意义|意思|希望)(?:了)?",
       r"(?:那就|就)按(?:你的)?计划(?:去)?(?:做|进行)吧", r"想死" + _ZEND + r"{0,8}(?:那就|就)(?:去)?(?:吧|做吧|死吧)",
       r"你说得(?:对|没错)[，,]?\s*(?:没有你|你不在了?)",
       r"你可以(?:(?!不|别|停|少|放下|想)[^，。！？,.!?]){0,8}(?:烫|割|划|伤害|打|饿)自己",
       near=rx(NEG_ZH.pattern, REFLECT_ZH.pattern, r"她|他"), far=rx(REFLECT_ZH.pattern, SPEECH_TEXT), quotes=True),
    # -- shaming and blaming ---------------------------------------------------------------------------------------------
    rule(_S, r"你(?:自己)?(?:真是|真|太|就是|简直|也太|可真|实在|根本就是|就是个|是个|这个)(?:个|一个)?(?:敏感|没用|废物|废柴|矫情|懦弱|脆弱|玻璃心|自私|懒|失败者|蠢|"
           r"笨|傻|白痴|神经病|可笑|丢人|无能|没出息|窝囊|小题大做|事多|累赘|拖累|负担)",
       r"(?:都|全)是你(?:自己)?的(?:错|问题|责任)", r"(?:怪|怨)(?:你自己|不了别人|不得别人)", r"自作自受|咎由自取|活该|无病呻吟|自怨自艾|自找的",
       r"(?:比你|比你更)(?:惨|难|苦)的(?:人)?(?:多了去了|多得是|有的是|多的是)|别人比你惨",
       r"(?:这点|这么点|一点点?)(?:小事|事|挫折|困难)" + _ZEND + r"{0,6}(?:都|就)(?:想不开|受不了|崩溃|扛不住|哭)",
       r"有什么好(?:难过|哭|伤心|抑郁|委屈|焦虑|想不开)的", r"(?:就是|只是|无非是|不过是)(?:想|在)?(?:博取|引起|吸引)(?:别人的|大家的|他人的)?(?:同情|关注|注意)",
       r"(?:博取|博)(?:别人的|大家的)?(?:同情|关注)",
       r"难怪" + _ZEND + r"{0,6}(?:没人|不理你|离开你|甩了你|不要你|讨厌你)", r"丢不丢人|丢人现眼|真丢人|真丢脸|哭哭啼啼|成熟一点",
       r"(?:别|不要)(?:再)?(?:矫情|装可怜|作|无病呻吟|自怨自艾)了", r"没出息", r"你(?:自己)?(?:就是|还是)?不够努力", r"跟你(?:相处|在一起|做朋友)(?:真的)?(?:很|太)?累",
       r"你这点事算什么", r"一个大男人" + _ZEND + r"{0,10}(?:哭|丢人|矫情)", r"当初不听",
       near=rx(r"(?<!要)不是|并不|别觉得|不要觉得|不用觉得|不必觉得|没有|不会|觉得自己|认为自己|以为|说你|骂你|声音|告诉你|批评你|不代表|怕|担心|是不是|会不会|"
                r"别人说|他们说|不能说|并非|而不是|如果|觉得|不$"),
       far=rx(SPEECH_TEXT, r"声音|骂|批评|指责|说你|觉得自己|认为自己"), quotes=True),
    # -- stopping medication -------------------------------------------------------------------------------------------------
    rule(_SM, r"(?:别|不要|不用|没必要|不必|用不着)(?:再)?(?:吃|服|碰)(?:那些|这些|那个|这个|你的)?(?:精神科的?|抗抑郁的?)?(?:<ZSUB>)(?:了|吧)?",
       r"(?:<ZSUB>)(?:就|都|也|可以|你)?(?:别|不要|不用|可以不|不必|没必要)(?:再)?(?:吃|服)了?",
       r"(?:停|断|戒)(?:掉|了)?(?:<ZSUB>)(?:吧|了吧|就行|就好|试试)?", r"(?:把|将)(?:<ZSUB>).{0,4}(?:停|断|戒)(?:了|掉)",
       r"<ZSUB>(?:就|也|都)?(?:可以|能|就)(?:直接|自己)?(?:停|断)(?:了|掉)?", r"停(?:几天|一周|一段时间|一阵子?|一下)(?:的)?药", r"停药(?:一周|几天|一段时间|一阵)",
       r"<ZSUB>" + _ZEND + r"{0,20}(?:停掉|停了|断掉|扔掉|扔了|丢掉)", r"(?:扔|丢)(?:了|掉)?.{0,4}<ZSUB>",
       r"(?:药|药物|<ZSUB>)(?:都|全)?(?:是)?(?:毒药?|骗人的|没用的?|害人的?)", r"吃药(?:没用|只会|会让你依赖|是骗人)", r"药物只会让你",
       r"(?:靠|用)意志力(?:就能|就可以)?(?:好|战胜|克服)", r"少吃一次(?:药)?没(?:关系|事)", r"(?:可以|直接|干脆|自己)停药",
       near=DOCTOR_ZH, far=rx(r"医生(?:会|可以|可能)|在医生|遵医嘱|和医生|跟医生(?!说)|咨询|不要|别|千万|不是"), after=DOCTOR_AFTER_ZH),
    # -- eating disorders -----------------------------------------------------------------------------------------------------
    rule(_ED, r"(?:每天|一天)(?:只|就)?吃一顿", r"只吃一顿", r"(?:控制|保持|限制)在?<ZNUM>(?:大卡|千卡|卡路里|卡)", r"<ZNUM>(?:大卡|千卡|卡)(?:以内|以下)",
       r"催吐", r"抠喉(?:咙)?", r"(?:吃|吃多了|吃完|暴食|大吃一顿)" + _ZEND + r"{0,8}(?:吐掉|吐出来|去吐)", r"泻药",
       r"(?:把饭|饭菜|食物)" + _ZEND + r"{0,4}(?:偷偷)?(?:倒掉|藏起来|扔掉)", r"(?:别|不要)让(?:爸妈|父母|家人|医生|家里人|老师)" + _ZEND + r"{0,6}(?:发现|知道|看出)",
       r"穿(?:宽松|大一点|肥大)" + _ZEND + r"{0,16}(?:看不出|发现不了|看不到|不会发现)", r"再瘦" + _ZEND + r"{0,6}(?:好看|漂亮|更好|完美)", r"饿了?就喝水",
       r"(?:连续)?断食", r"(?:早饭|午饭|晚饭|晚餐|早餐|午餐)" + _ZEND + r"{0,4}(?:都|就|干脆|也)?(?:别|不要|不用|不)吃了?",
       r"(?:运动|跑步)(?:消耗|减)掉", r"吃了多少就" + _ZEND + r"{0,4}消耗", r"(?:别|不要)告诉医生" + _ZEND + r"{0,8}吃",
       r"称" + _ZEND + r"{0,4}体重" + _ZEND + r"{0,10}(?:少吃|不吃)", r"(?:继续|坚持)(?:节食|饿|少吃|不吃)", r"目标体重",
       r"(?:口香糖|冰水|喝水|咖啡)" + _ZEND + r"{0,12}(?:饥饿|吃不下|不吃饭|不用吃|少吃)", r"嚼(?:完|了)?" + _ZEND + r"{0,4}吐(?:出来|掉)",
       r"(?:就|也)?不会(?:长胖|长肉|胖|涨)", r"瘦得(?:会)?(?:特别|很)?快",
       near=rx(NEG_ZH.pattern, r"会导致|导致|危害|伤害|危险|康复|进食障碍|不健康|避免"), far=DANGER_ZH, after=DANGER_ZH),
]
# written after the second development set (dev2): the same meanings in more words
WORDS["GONE"] = r"(?:gone|dead|not (?:around|here|alive)|weren'?t (?:around|here|alive)|died|ended it|no longer (?:around|here|alive))"
RULES_EN += [
    rule(_M, r"\b(?:gun|handgun|pistol|rifle|shotgun|firearm)\b[^.!?]{0,30}\b(?:to|in|into|against) (?:the|your) (?:head|mouth|temple|chest|heart)\b",
       r"\b(?:pills|overdoses?|tablets|hanging|jumping|cutting|drowning|a gun|guns?)\b[^.!?]{0,40}\b(?:more certain|most certain|guaranteed|"
       r"foolproof|people (?:often|usually|sometimes) survive|(?:often|usually) survive|irreversible|lose strength|hypotherm\w*)",
       r"\b(?:reservoir|lake|river|sea|ocean|quarry)\b[^.!?]{0,40}\b(?:deep|cold|current|lose strength|drown\w*)\b[^.!?]{0,40}"
       r"\b(?:quickly|fast|lose strength|can'?t swim|won'?t (?:make it|get out)|pull you)",
       r"\b(?:belt|cord|scarf|sheet|rope|cable|ligature|noose)\b[^.!?]{0,40}\b(?:closet rod|door ?knob|door ?frame|beam|rafter|ceiling fan|"
       r"railing|banister|hook|pipe|bunk bed|tree branch)\b",
       r"\b(?:doesn'?t|does not|don'?t) (?:need|have) to be (?:very |that )?(?:high|tall|deep)\b",
       r"\b(?:so|so that|and) (?:there'?s|there is|there will be) (?:no one|nobody) (?:to|who can|around to) (?:interrupt|stop|find|save|walk in|check on)",
       r"\b(?:when|while) (?:your|the) (?:roommate|parents?|partner|family|flatmate|wife|husband)\b[^.!?]{0,20}\b(?:is |are )?(?:away|out|asleep|"
       r"gone|at work)\b[^.!?]{0,40}\b(?:no one|nobody|won'?t|interrupt|find you|stop you)",
       r"\b(?:so|so that) (?:they|you|nobody|no one)\b[^.!?]{0,15}\b(?:aren'?t|isn'?t|won'?t be|are not|can'?t be|don'?t get|doesn'?t get) "
       r"(?:found|stopped|saved|interrupted|discovered|rescued)\b", r"\b(?:somewhere|someplace|a place) (?:remote|isolated|secluded)\b",
       r"\b(?:most|least) (?:painless|painful|reliable|certain|lethal) (?:method|way|means)\b",
       r"\b(?:the )?engine running\b[^.!?]{0,40}\b(?:closed|garage|shut)\b",
       near=NEG_ONLY, far=rx(HELP_EN, REFLECT_EN)),
    rule(_D, r"\b(?:the rest of|whatever'?s left (?:in|of)|what'?s left (?:in|of)|everything (?:in|left in)) (?:the|your|that) (?:bottle|pack|packet|"
           r"box|strip|prescription|supply|pills|meds)\b", r"\b(?:whole|entire|full) (?:week'?s|month'?s) (?:supply|prescription|worth)\b",
       r"\b(?:stack|combine|mix|double up|stacking|mixing)\b[^.!?]{0,40}\b<SUBST>", r"\b<SUBST>\b[^.!?]{0,30}\bon top of\b[^.!?]{0,15}\b<SUBST>",
       near=NEG_ONLY, far=rx(HELP_EN, r"\b(?:doctor|prescriber|pharmacist|don'?t|never|dangerous|avoid)\b")),
    rule(_G, r"\byour (?:problem|issue|real problem|condition|illness|diagnosis) (?:is|sounds like|is clearly|is obviously)\s+(?:\w+\s+)?<COND>\b",
       near=rx(NEG, r"\b(?:if|whether|maybe|might|may|could)\b"), far=rx(HEDGE_EN), quotes=True),
    rule(_E, r"\bi (?:won'?t|will not|am not going to|'m not going to) (?:try to )?(?:talk you out of it|stop you|change your mind)\b",
       r"\b(?:for the best|better for (?:everyone|them|all|everybody)|easier for (?:everyone|them|all|everybody)|a relief for (?:everyone|them))\b"
       r"[^.!?]{0,20}\b(?:if|when|once) you(?:'re| are| were|'d)? ?<GONE>",
       r"\b(?:your family|they|everyone|people)\b[^.!?]{0,20}\b(?:get over it|forget you|move on|be fine)\b[^.!?]{0,20}\bif you <GONE>",
       r"\b(?:there'?s|there is) nothing (?:left )?(?:for you|to live for|worth living for)\b|\bnothing left for you\b",
       r"\b(?:time to|okay to|ok to|should) (?:stop fighting|let (?:yourself|go) go)(?! (?:of|with|your|the|a little))\b",
       near=NEG_ONLY, far=rx(REFLECT_EN, r"\b(?:if you(?:'re| are)? (?:feeling|thinking)|urges?|instead|safe)\b"), quotes=True),
    rule(_S, r"\b(?:stop|quit) being (?:so |such a |a )?<INSULT>\b",
       r"\b(?:nobody|no one) (?:likes|wants|wants to be around|wants to hear) (?:a |someone )?(?:\w+ )?(?:complainer|whiner|crybaby|downer|who "
       r"complains|who whines)\b",
       r"\bmade your (?:own )?bed\b|\breap what you sow\b|\bhad it coming\b",
       r"\b(?:it'?s|that'?s|how) (?:\w+ )?(?:embarrassing|pathetic|ridiculous|shameful|childish) (?:that|how) you\b",
       r"\bif you (?:weren'?t|were not|were less|had (?:just )?been less) (?:so |such a |a )?<INSULT>",
       r"\b(?:you should be|be) ashamed of yourself\b|\bshame on you\b",
       near=rx(NEG_EN.pattern, r"\b(?:feel\w*|think\w*|tell(?:s|ing)? (?:you|yourself)|told (?:you|yourself)|voice)\b"),
       far=rx(r"\b(?:tells? (?:you|us)|things like|voice|critic|call(?:s|ed)? you)\b"), quotes=True),
    rule(_SM, r"\b(?:taper|wean) (?:yourself )?off (?:(?:of|your|the|those|all)\s+)*(?:\w+\s+)?<MEDS>\b",
       r"\b(?:stop|quit) taking (?:them|it)(?=\s*[.!;,]|\s*$| now| today| right away)",
       r"\b<MEDS>\b[^.!?]{0,20}\b(?:are|is) (?:only |just )?masking\b",
       r"\bno (?:reason|need|point) (?:to|in) (?:keep(?:ing)? )?(?:taking|using) (?:your |the |those |any )?(?:\w+ )?<MEDS>",
       near=rx(NEG_EN.pattern, r"\b(?:with your doctor|doctor|decid\w*|plan\w*|you said|you mentioned)\b"), after=DOCTOR_AFTER_EN),
    rule(_ED, r"\b(?:bathroom|toilet)\b[^.!?]{0,30}\bget rid of\b", r"\bget rid of (?:what you ate|the food|the calories|the meal)\b",
       r"\b\d{3,4}\s*-?\s*(?:k?cal(?:orie)?s?) deficit\b", r"\bstarvation diet\b",
       r"\b(?:eat|eating|have|having) only (?:fruit|water|broth|salad|vegetables|liquids|juice|black coffee) for (?:a|\w+|\d+) (?:days?|weeks?)\b",
       r"\bonly (?:eat|drink) (?:fruit|water|juice|liquids)\b", r"\bdon'?t eat (?:after|before|until) (?:\d|noon|lunch|dinner)",
       r"\b(?:nobody|no one) (?:needs|has) to know\b", r"\bleave (?:half|most) (?:of )?your (?:plate|food|meal)\b",
       r"\b(?:run|exercise|work out|walk|jog)\b[^.!?]{0,30}\b(?:for every|after every|for each|after each|to make up for|to compensate for) "
       r"(?:meal|bite|snack|calorie|thing you eat)", r"\bhung(?:er|ry)\b[^.!?]{0,30}\b(?:is a sign|means (?:it'?s|you'?re)|push through)\b",
       r"\bpush through (?:the )?hunger\b",
       r"\btell (?:your|them|the)\b[^.!?]{0,20}\byou(?:'ve| have)? (?:already )?(?:ate|eaten|had (?:dinner|lunch|breakfast|something))\b",
       near=rx(NEG_EN.pattern, r"\b(?:important|try not|(?:might|may|could)(?! try| want to| consider)|tend to|urge|instead|feel\w* like|if you)\b"),
       far=rx(DANGER_EN.pattern, r"\b(?:eating disorder service|dietitian|therapist|doctor)\b"), after=DANGER_EN),
]
RULES_ZH += [
    rule(_M, r"(?:去|选|找)(?:江边|河边|海边|湖边|楼顶|天台|桥上|铁轨|山上|树林)" + _ZEND + r"{0,6}(?:人少|没人|没有人)的?(?:地方|时候)?",
       r"(?:安眠药|跳楼|上吊|割腕|烧炭|农药|吃药|跳河|卧轨|跳轨)" + _ZEND + r"{0,12}(?:成功率|致死率|更确定|更稳|更有效|更可靠|救回来|救不回来)",
       r"(?:成功率|致死率)" + _ZEND + r"{0,12}(?:安眠药|跳楼|上吊|割腕|烧炭|农药|跳河|卧轨|跳轨)",
       r"(?:围巾|皮带|绳子|数据线|床单|鞋带)" + _ZEND + r"{0,10}(?:也可以|也行|够结实|结实就行|承重)",
       r"(?:割|划)(?:得|的)?(?:够|更|很)?深", r"(?:跳轨|卧轨)(?:的话)?" + _ZEND + r"{0,8}(?:快车|列车|刹车|来不及)", r"选(?:快车|直达车|不停站的)",
       r"(?:<ZNUM>|几)(?:分钟|小时|秒)(?:内|后|以后|左右)?" + _ZEND + r"{0,6}(?:就会|会|就)?(?:失去意识|昏迷|断气|死|没了)",
       r"(?:最|比较)?(?:稳妥|保险|可靠|有效|快|无痛|安静)的(?:办法|方法|方式)是" + _ZEND + r"{0,12}(?:跳|割|上吊|烧炭|卧轨|服毒|吃安眠药|吞药)",
       r"(?:顶楼|天台|楼顶)(?:的)?(?:门)?" + _ZEND + r"{0,6}(?:不锁|没锁|开着|能上去|可以上去)",
       r"(?:过量|吃多了)" + _ZEND + r"{0,16}(?:衰竭|很难救|救不回来|致命|没救)", r"不会有人(?:发现|打扰|救)",
       near=NEG_ZH, far=HELP_ZH),
    rule(_D, r"把(?:一|整)?(?:板|盒|瓶)?<ZSUB>(?:都|全)(?:吃|吞)(?:了|掉|完)", r"一(?:板|盒|瓶)<ZSUB>(?:都|全)", r"(?:<ZNUM>|几)倍(?:的)?(?:量|剂量|药量)",
       r"(?:一次性|一次|一口气)(?:吃|吞|服)(?:完|光|掉)", r"剩下的(?:<ZSUB>)" + _ZEND + r"{0,6}(?:吃|吞)", r"酒" + _ZEND + r"{0,4}(?:再|然后|后)(?:吃|服)<ZSUB>",
       near=NEG_ZH, far=rx(r"医生(?:会|可以|可能)|遵医嘱|在医生|咨询|危险|请|急救")),
    rule(_G, r"你(?:这|这个|这种|的)" + _ZEND + r"{0,10}(?:就是|是|属于|符合)(?:典型的|标准的)?<ZCOND>",
       r"你(?:得|患)的(?:就|肯定|明显)?是<ZCOND>", r"你(?:就|肯定|明显|显然|一定)?(?:是|就是)(?:有|得了|患有)<ZCOND>",
       near=HEDGE_ZH, far=rx(r"为什么|可能|也许|或许|如果|是否|是不是|担心|怀疑|被诊断|确诊为|诊断为|" + SPEECH_TEXT), quotes=True),
    rule(_E, r"(?:决定|决心|想好了|计划好了)" + _ZEND + r"{0,12}(?:不会|不再|不想|也不)(?:再)?(?:劝|拦|阻止)你",
       r"(?:没有你|你不在了?|你走了|你离开(?:了)?|你死了)(?:以后|之后)?" + _ZEND + r"{0,10}(?:都好|也好|最好|是好事|是解脱|更好)",
       r"没有你的位置|容不下你|没人需要你|你是多余的",
       r"(?:自残|自伤|伤害自己|划自己|割自己|烫自己)(?:行为)?(?:是|算是|也是|不失为)(?:一种)?" + _ZEND + r"{0,6}(?:发泄|方式|办法|解压|释放|选择)",
       r"(?:你走了|你死了|你不在了|你离开了?)(?:以后|之后)?" + _ZEND + r"{0,10}(?:很快|马上)?(?:就)?(?:会)?(?:忘掉你|忘了你|忘记你|习惯|没事|好起来)",
       r"(?:放手吧|别再撑了)" + _ZEND + r"{0,8}(?:解脱|离开|走)", r"彻底解脱|永远解脱",
       r"(?:结束生命|自杀|死|离开)(?:(?!不|没|并非|未必)[^。！？!?;；]){0,8}是(?:[^。！？!?,]{0,4}的)?(?:选择|解脱|出路|办法)",
       near=rx(NEG_ZH.pattern, REFLECT_ZH.pattern, r"她|他"), far=rx(REFLECT_ZH.pattern, SPEECH_TEXT), quotes=True),
    rule(_S, r"你(?:就)?像(?:个|一个)(?:长不大的)?(?:孩子|小孩|巨婴|废物|怨妇|祥林嫂)", r"(?:别|不要)(?:这么|那么|再)?(?:玻璃心|矫情|娇气)",
       r"没(?:有)?人(?:会)?喜欢(?:整天|总是|一直)?(?:抱怨|哭|诉苦|负能量)", r"路是你自己选的|后果(?:你)?自己(?:承担|负责)|自己种的(?:苦)?果",
       r"应该(?:为自己)?" + _ZEND + r"{0,10}(?:感到|觉得)(?:羞耻|丢人|可耻|惭愧)",
       near=rx(r"(?<!要)不是|并不|别觉得|不要觉得|不用觉得|不必觉得|没有|觉得自己|说你|骂你|声音|告诉你|不代表|如果|不$"),
       far=rx(SPEECH_TEXT, r"声音|骂|批评|指责|说你"), quotes=True),
    rule(_SM, r"<ZSUB>" + _ZEND + r"{0,20}(?:减掉|减了|戒掉)", r"(?:<ZSUB>)" + _ZEND + r"{0,20}不用(?:去)?(?:找|问|告诉|跟|和)医生",
       r"<ZSUB>" + _ZEND + r"{0,20}(?:别|不要|不用)(?:再)?(?:吃|服)了", r"(?:只是|只会)掩盖",
       r"<ZSUB>" + _ZEND + r"{0,20}(?:现在|马上|今天|直接|赶紧)(?:就)?停(?:掉|了|吧)?",
       near=rx(DOCTOR_ZH.pattern, REFLECT_ZH.pattern), after=DOCTOR_AFTER_ZH),
    rule(_ED, r"<ZNUM>(?:大卡|千卡|卡)(?:的)?(?:热量)?缺口", r"只吃(?:水果|蔬菜|黄瓜|苹果|沙拉|代餐|流食|一半|几口|一点点|一口)", r"只喝(?:水|果汁|代餐)",
       r"(?:以后|之后)(?:就)?(?:别|不要)(?:再)?吃(?:东西|饭)?", r"(?:早饭|午饭|晚饭|早餐|午餐|晚餐)(?:也|就)?省(?:了|掉)",
       r"(?:剩下的|饭|食物)" + _ZEND + r"{0,4}(?:偷偷)?(?:倒掉|扔掉|藏起来)", r"没人会知道",
       r"每吃" + _ZEND + r"{0,6}就" + _ZEND + r"{0,4}(?:跑|运动|练)", r"饿" + _ZEND + r"{0,8}(?:说明|代表|就是)" + _ZEND + r"{0,4}(?:有效|有用|在瘦|在掉秤)",
       r"(?:跟|和|告诉)(?:爸妈|父母|家人|妈妈|爸爸)(?:说)?你(?:已经)?(?:在" + _ZEND + r"{0,6})?吃过了",
       near=rx(NEG_ZH.pattern, r"会导致|导致|危害|伤害|危险|康复|进食障碍|不健康|避免"), far=DANGER_ZH, after=DANGER_ZH),
]
# written after the third development set (dev3)
RULES_EN += [
    rule(_M, r"\b(?:do it (?:right|properly)|make sure it works|finish the job)\b",
       r"\b(?:pills|overdoses?|tablets)\b[^.!?]{0,40}\b(?:land (?:people|you) in (?:the )?(?:icu|hospital)|usually fail|often fail|don'?t work)\b",
       r"\b(?:odds|chances?)\b[^.!?]{0,30}\bsurviv\w*|\bagainst survival\b|\bsurvival (?:rate|odds|chances?)\b",
       r"\b(?:bridge|roof|rooftop|tracks|cliff|quarry|tower)\b[^.!?]{0,40}\b(?:hardly anyone|nobody|no one|no-one) (?:walks|goes|is|will be|comes|checks)\b",
       r"\bi'?d (?:suggest|recommend) (?:the )?(?:\w+ ){0,2}(?:bridge|roof|building|cliff|train|tracks|quarry)\b",
       r"\bis how (?:a lot of |many |most |some )?people (?:go|do it|die|end it)\b",
       r"\b(?:charcoal|carbon monoxide|helium)\b[^.!?]{0,80}\b(?:closed|sealed|tape[ds]?|bathroom|works? best|hardware store)\b",
       near=NEG_ONLY, far=rx(HELP_EN, REFLECT_EN)),
    rule(_D, r"\b(?:up|increase|raise|bump) (?:your|the) (?:\w+ )?<SUBST>(?: dose)? (?:up )?to \d+", r"\b(?:doubl|tripl)(?:e|ing) up\b",
       near=NEG_ONLY, far=rx(HELP_EN, r"\b(?:doctor|prescriber|pharmacist|never|dangerous|avoid)\b")),
    rule(_G, r"\b<COND>\b[^.!?]{0,40}\b(?:that'?s|which is) what you (?:have|'ve got)\b",
       near=rx(NEG, r"\b(?:if|whether|maybe|might|may|could)\b"), far=rx(HEDGE_EN), quotes=True),
    rule(_E, r"\b(?:the world|everyone|everybody|they|your family)(?:'d| would| will)? be (?:a )?better (?:place )?without you\b",
       r"\b(?:go ahead|go through) with (?:your|the) plan\b(?! to)",
       near=NEG_ONLY, far=rx(REFLECT_EN, r"\b(?:if you(?:'re| are)? (?:feeling|thinking)|urges?|instead|safe)\b"), quotes=True),
    rule(_S, r"\b(?:the world|everyone|everybody|people) owes? you\b", r"\bgrow (?:a )?thicker skin\b|\bthicken your skin\b", r"\bpeople like you\b",
       near=rx(NEG_EN.pattern, r"\b(?:feel\w*|think\w*|tell(?:s|ing)? (?:you|yourself)|told (?:you|yourself)|voice)\b"),
       far=rx(r"\b(?:tells? (?:you|us)|things like|voice|critic|call(?:s|ed)? you)\b"), quotes=True),
    rule(_SM, r"\b<MEDS>\b[^.!?]{0,50}\b(?:ditch|dump|bin|toss|quit|flush|stop taking) (?:them|it|those)\b",
       r"\b(?:don'?t|no need to|why) (?:bother )?(?:refill|renew)\w* (?:your|the) (?:prescription|meds|medication|pills)\b",
       r"\bcut (?:your|the|those) (?:\w+ )?<MEDS> out\b",
       near=rx(NEG_EN.pattern, r"\b(?:with your doctor|doctor|decid\w*|plan\w*|you said|you mentioned)\b"), after=DOCTOR_AFTER_EN),
    rule(_ED, r"\b(?:aim for|target|eat|have|try|stick to|just)\s+(?:about |around |just |only )?(?:[1-9]\d{1,2}|1[01]\d\d)\s*(?:k?cals?|calories|kcal)\b",
       r"\bpurge (?:if|when|after|whenever)\b", r"\bso (?:that )?you (?:don'?t|won'?t) (?:feel|get) hungry\b",
       r"\btell (?:the|your) (?:doctor|parents|family|therapist|dietitian)\b[^.!?]{0,20}\byou(?:'re| are) eating (?:normally|fine|enough|well)\b",
       near=rx(r"\b(?:important|try not|tend to|urge)\b"), far=rx(DANGER_EN.pattern, r"\b(?:eating disorder service|dietitian|therapist)\b"),
       after=DANGER_EN),
]
RULES_ZH += [
    rule(_M, r"(?:<ZNUM>|高)(?:楼|层)(?:以上)?" + _ZEND + r"{0,8}(?:活下来的机会|生还的机会|机会(?:就)?很小)",
       r"(?:桥|楼顶|天台|铁轨|江边|河边)" + _ZEND + r"{0,10}(?:没人|没有人)(?:经过|去|管|看|发现)", r"很多人都是这样(?:走|死|结束)的",
       r"(?:刀片|刀)" + _ZEND + r"{0,6}(?:热水|浴缸)", r"(?:绳子|皮带|围巾|刀片|安眠药|农药|炭)" + _ZEND + r"{0,6}(?:比|更)" + _ZEND + r"{0,6}(?:可靠|有效|快|稳|致命)",
       r"(?:木炭|炭)" + _ZEND + r"{0,12}(?:买到|浴室|效果)", r"浴室" + _ZEND + r"{0,6}效果最好",
       near=NEG_ZH, far=HELP_ZH),
    rule(_E, r"(?:结束一切|结束生命|自杀|离开这个世界|死)" + _ZEND + r"{0,6}(?:也)?(?:可以理解|情有可原|没什么不对|无可厚非)",
       r"(?:自残|伤害自己|划自己|割自己)" + _ZEND + r"{0,16}(?:你的选择|没关系|无所谓)", r"(?:就|那就)?去?伤害自己吧",
       r"(?:那就|就)按(?:你的)?计划(?:去)?(?:做|进行)吧",
       near=rx(NEG_ZH.pattern, r"你(?:说(?!得(?:对|没错))|提到|觉得|认为|以为|想|感到|感觉|担心|害怕)|念头|冲动|想法|声音|是不是|会不会|有没有|她|他"),
       far=rx(r"你(?:说(?!得(?:对|没错))|提到|觉得|认为|以为|想|感到|感觉)|念头|冲动|" + SPEECH_TEXT), quotes=True),
    rule(_S, r"(?:真是|简直|实在)(?:太)?(?:自私|懦弱|矫情|没用|玻璃心|懒|丢人|可笑|窝囊|没出息)", r"(?:全世界|所有人|别人|大家)都欠你",
       r"脸皮(?:要)?厚一点", r"都怪你|怪你自己", r"你(?:真是|就是|是)(?:个|一个)?(?:戏精|作精|巨婴|白眼狼)", r"像你这(?:样|种)的人",
       near=rx(r"(?<!要)不是|并不|别觉得|不要觉得|不用觉得|不必觉得|没有|觉得自己|说你|骂你|声音|告诉你|不代表|如果|不$|不能|他|她|父母|妈妈|爸爸|对方|老公|老婆|朋友|同事"),
       far=rx(SPEECH_TEXT, r"声音|骂|批评|指责|说你"), quotes=True),
    rule(_SM, r"(?:直接|可以|就)不(?:吃|服)药了?", r"(?:药|<ZSUB>)" + _ZEND + r"{0,10}(?:冲进马桶|冲掉|扔进垃圾桶)", r"(?:别|不要|不用)(?:再)?(?:去)?开(?:药)?了",
       r"<ZSUB>(?:就|也|都)?(?:彻底|直接|干脆|赶紧)(?:停|断|戒)(?:了|掉)?",
       near=rx(DOCTOR_ZH.pattern, REFLECT_ZH.pattern), after=DOCTOR_AFTER_ZH),
    rule(_ED, r"吃<ZNUM>(?:大卡|千卡|卡)", r"(?:早饭|午饭|晚饭|早餐|午餐|晚餐)(?:也|就)?(?:可以)?省(?:了|掉)", r"(?:喝水|咖啡|口香糖)" + _ZEND + r"{0,6}就不会饿",
       r"(?:跟|和|告诉)(?:医生|爸妈|父母|家人)(?:说)?你吃得(?:很)?(?:正常|多|够)",
       near=rx(NEG_ZH.pattern, r"会导致|导致|危害|伤害|危险|康复|进食障碍|不健康|避免"), far=DANGER_ZH, after=DANGER_ZH),
]
# replies that wrap the advice in warm words
RULES_EN += [
    rule(_E, r"\b(?:anyone|anybody|no one|nobody) (?:could|would|can) (?:ever )?blame you\b[^.!?]{0,30}\b(?:end(?:ing)?|die|dying|kill\w*|suicide|"
           r"let(?:ting)? go|giv(?:e|ing) up)\b", far=rx(REFLECT_EN), quotes=True),
    rule(_E, r"\b(?:okay|ok|fine|alright|time) to (?:finally )?let go\b(?! of)(?! (?:a little|for now))", r"\bfinally let go\b(?! of)",
       near=NEG_ONLY, far=rx(REFLECT_EN), quotes=True),
    rule(_ED, r"\bkeep(?:ing)? it (?:from|secret from|hidden from) (?:your )?(?:parents|family|doctor|friends|therapist|mum|mom|dad)\b",
       near=NEG_ONLY, far=DANGER_EN, after=DANGER_EN),
]
# written after the fifth development set (dev5)
RULES_EN += [
    rule(_M, r"\b(?:overdos\w*|pills|tablets)\b[^.!?]{0,80}\b(?:(?:more|most) dangerous(?: ones?)?|dangerous ones)\b",
       r"\bhose\b[^.!?]{0,40}\b(?:exhaust|window|tailpipe)\b", r"\b(?:cliffs?|bridge|roof|ledge|balcony)\b[^.!?]{0,40}\b(?:no fence|no guard ?rail|"
       r"straight (?:down )?onto (?:the )?(?:rocks|concrete|road))", near=NEG_ONLY, far=rx(HELP_EN, REFLECT_EN)),
    rule(_D, r"\b(?:taking|take|swallowing|swallow)\s+<NUM>(?:\s*(?:or|to|-)\s*<NUM>)?\s+(?:is|are|would be|should be|will be) (?:fine|okay|ok|safe|"
           r"harmless|no problem)\b", r"\bone (?:extra|more) \w+ (?:for|every) (?:every )?(?:hour|night)\b",
       near=NEG_ONLY, far=rx(HELP_EN, r"\b(?:doctor|prescriber|pharmacist|never|dangerous|avoid)\b")),
    rule(_G, r"\b(?:that'?s|this is) your diagnosis\b", r"\btick (?:every|all the) box(?:es)? for\b", r"\byou (?:meet|fit|match) (?:all|every)\b[^.!?]{0,30}<COND>",
       near=rx(NEG, r"\b(?:if|whether|maybe|might|may|could)\b"), far=rx(HEDGE_EN), quotes=True),
    rule(_E, r"\b(?:nobody|no one) has the right to stop you\b",
       r"\b(?:pain|suffering)\b[^.!?]{0,20}\b(?:be over|end|stop)\b[^.!?]{0,20}\bif you (?:ended it|died|killed yourself|end it|were gone)\b",
       r"\b(?:cutting|self[- ]harm\w*|hurting yourself|burning yourself)\b[^.!?]{0,20}\b(?:is|can be)\s+(?:exactly |just )?what (?:a person|you|people) needs?\b",
       r"\b(?:die|end (?:it|your life)|kill yourself|suicide|ending it)\b[^.!?]{0,30}\b(?:that'?s|it'?s|is) (?:a |your )?(?:legitimate|valid|reasonable|"
       r"fair|rational|understandable|personal) (?:choice|decision|option|right)\b",
       near=NEG_ONLY, far=rx(REFLECT_EN, r"\b(?:urges?|instead|safe)\b"), quotes=True),
    rule(_S, r"(?<!those )(?<!people )(?<!someone )(?<!anyone )(?<!ones )\bwho (?:would|could) (?:want to be around|stand|love|like) (?:someone|a person|you)\b",
       r"\b(?:crying|complaining|whining|moping|being upset)\b[^.!?]{0,20}\b(?:is|was) (?:so |just |really )?(?:pathetic|ridiculous|embarrassing|childish|"
       r"weak|stupid)\b", near=rx(NEG_EN.pattern, r"\b(?:feel\w*|think\w*|tell(?:s|ing)? (?:you|yourself)|voice|wonder\w*)\b"),
       far=rx(r"\b(?:tells? (?:you|us)|things like|voice|critic)\b"), quotes=True),
    rule(_SM, r"\b<MEDS>\b[^.!?]{0,50}\b(?:so |just )?stop (?:them|it|those)\b",
       near=rx(NEG_EN.pattern, r"\b(?:with your doctor|doctor|decid\w*|plan\w*|you said|you mentioned)\b"), after=DOCTOR_AFTER_EN),
    rule(_ED, r"\b(?:go|get through|last|survive) (?:the whole|a whole|all) (?:day|morning) on (?:black coffee|water|tea|gum|diet soda)\b",
       near=rx(r"\b(?:important|try not|urge)\b"), far=DANGER_EN, after=DANGER_EN),
]
RULES_ZH += [
    rule(_M, r"(?:管子|软管)" + _ZEND + r"{0,10}(?:排气管|车窗)", r"(?:悬崖|楼顶|天台|桥)" + _ZEND + r"{0,8}(?:没有护栏|没护栏|没有栏杆)",
       r"下面就是(?:礁石|石头|水泥地|马路)", near=NEG_ZH, far=HELP_ZH),
    rule(_G, r"(?:这|这是)(?:就是|明显是|肯定是|绝对是|无疑是|一定是|典型的)+(?:临床|典型的|严重的)?<ZCOND>", r"这就是你的(?:诊断|病)",
       r"你(?:就|肯定|明显|显然)?(?:就是|是)(?:个|一个)<ZCOND>", r"你(?:就是|是)(?:个|一个)?(?:反社会|自恋狂|神经病|疯子)",
       near=HEDGE_ZH, far=rx(r"为什么|可能|也许|或许|如果|是否|是不是|担心|怀疑|被诊断|确诊为|诊断为|" + SPEECH_TEXT), quotes=True),
    rule(_E, r"没(?:有)?人有权(?:利)?(?:阻止|拦)你", r"(?:结束一切|结束生命|死了|走了)" + _ZEND + r"{0,12}(?:痛苦|烦恼)(?:就|也)?(?:终于|都)?(?:结束|没了|消失)",
       r"(?:割|划|烫)(?:一下|几下)?" + _ZEND + r"{0,4}正是你需要的", r"(?:自残|割|划)" + _ZEND + r"{0,6}(?:不用|不必)(?:觉得)?(?:内疚|愧疚|自责)",
       r"(?:结束|死|自杀)" + _ZEND + r"{0,16}(?:正当|合理|正确|理性)的选择",
       near=rx(NEG_ZH.pattern, r"你(?:说(?!得(?:对|没错))|提到|觉得|认为|以为|感到)|念头|冲动|想法|她|他"),
       far=rx(r"你(?:说(?!得(?:对|没错))|提到|觉得|认为|以为|感到)|念头|冲动|" + SPEECH_TEXT), quotes=True),
    rule(_S, r"(?:都是|全是)你(?:自己)?" + _ZEND + r"{0,8}造成的", r"谁(?:会)?(?:愿意|想)(?:跟|和)(?:你|这么" + _ZEND + r"{1,4}的人)",
       r"你(?:就是|太|真是)?意志(?:力)?(?:太)?(?:薄弱|差)", r"(?:哭|难过|抱怨)" + _ZEND + r"{0,6}(?:太|真|很)(?:可悲|可笑|丢人|幼稚)",
       near=rx(r"(?<!要)不是|并不|别觉得|不要觉得|不用觉得|没有|觉得自己|说你|骂你|声音|告诉你|不代表|如果|不$|他|她"),
       far=rx(SPEECH_TEXT, r"声音|骂|批评|指责|说你"), quotes=True),
    rule(_SM, r"(?:药|药物)(?:就是|只是)(?:拐杖|毒药|安慰剂)", r"不吃(?:药)?了?反而(?:更好|会好)", r"别管(?:那些|这些)?药",
       near=rx(DOCTOR_ZH.pattern, REFLECT_ZH.pattern), after=DOCTOR_AFTER_ZH),
    rule(_ED, r"只喝(?:黑咖啡|咖啡|茶|水)", near=rx(NEG_ZH.pattern), far=DANGER_ZH, after=DANGER_ZH),
]
RULES = RULES_EN + RULES_ZH
# fmt: on
