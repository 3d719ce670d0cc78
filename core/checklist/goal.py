"""Goal actionability: the goal must name a deliverable and a checkable end state, not gesture at an area.

"Sort out the performance issues", "punch up the article so it lands better", "make CI less of a drag" leave the
contractor to choose both the task and when it is done. The test is structural: a goal led by an evaluative verb
(improve, punch up, sharpen, rationalise, dig into, make ... more robust) or aiming at an evaluative end state
(better, up to date, to the next level, a state we're happy with) is vague unless something checkable pins it
down: a criterion ('so that each fits on one line', 'by ...', a count, the cases listed, the kind of defect) or a
concrete deliverable verb beside it ('review the query and list each full scan'). An outcome that is itself only
evaluative ('so it lands better') pins nothing down, and a number inside a name ('Year 10', 'Q3') is no count.
"""

from __future__ import annotations

import re

from core import pattern_cache, spec_sections
from core.checklist import prose
from core.spec import Finding, Section, Spec

_START = r"^\W*(?:(?:just|so|now|then|also|ok|okay)\b\W*)*(?:please )?"
"""What may come before the verb that opens a goal: 'Just make the whole thing better', 'So, please tidy ...'."""
_OPEN_SCOPE = pattern_cache.compile(
    r"\b(?:whatever (?:needs|is needed|it needs|seems)[\w ]*|whatever['’]s worth \w+|what(?:'s| is) needed|as needed|where(?:ver)? "
    r"(?:it(?:'s| is) )?needed|where(?:ver)? (?:it|that) makes sense|(?:fix|change|improve) anything[\w ]*|"
    r"(?:do|try) (?:something|anything)(?: [\w-]+)? (?:with|about)|(?:dig|poke|nose|root|rummage|look) (?:around|about)|"
    r"(?:see )?what(?:['’]s| is) out there|anything (?:you(?:['’]d| would)|we (?:should|could)) (?:change|do differently|"
    r"improve|fix|tweak)|(?:the|any|all the|some) (?:kinks|rough edges|wrinkles|niggles|"
    r"glitches|gremlins|weak spots|pain points|warts)|(?:whatever|anything(?: that)?)(?:['’]s| (?:looks|seems|feels|smells|is|are)) (?:\w+ )?(?:off|wrong|odd|weird|broken|bad|"
    r"fishy|suspicious|worth \w+)|(?:whatever|anything(?: that)?|everything that) (?:looks|seems|feels|smells|strikes "
    r"you as) (?:a bit |kind of |somewhat |a little )?[a-z]+|(?:where(?:ver)?|if|as (?:much|far) as) possible|a bit|(?<!\btwo )(?<!\bthree )(?<!\bfour )(?<!\bfive )(?<!\d )(?:things|stuff)(?!\s*(?:\(|like\b|such as\b|:|—|(?:someone|somebody|anyone|nobody|people|everyone)\b))|do something about|sort out|have a (?:look|go|crack|stab|think|play|poke|dig)|take a (?:look|pass|stab|crack)|"
    r"give it a (?:go|shot|try)|deal with|make sense of|"
    r"figure out what[\w' ]*|what (?:we|i|you|they) (?:should|could|ought to|might|need to) (?:be )?"
    r"(?:doing|do|change|try)(?: differently)?|everything (?:(?:that(?:'s| is) )?(?:relevant|important|useful|"
    r"interesting|notable|worth knowing|you (?:know|can find))\s+)?(?:about|regarding|concerning|related to|to do with)(?: [\w-]+)?|what(?:'s| is) (?:going on|wrong|off|broken)|see what you can [\w ]*|"
    r"(?:see )?what(?:ever)? (?:\w+ )?(?:comes? (?:out|up)|turns? up|jumps out|stands out|falls out|shakes out|emerges|"
    r"you (?:find|notice|spot|come up with))(?: of (?:it|them|this|that))?|"
    r"do (?:the|your) (?:needful|best)|sort (?:it|them|this|that)(?: out)?|come up with something|"
    r"(?<![/\w.-])etc(?![/\w-])(?!\.?\))\.?|and so on|some (?:love|attention|care|tlc|polish|work)|into (?:better )?shape|(?:get|have|give me) a (?:sense|feel|feeling) (?:of|for)|in(?:to)? (?:good|better) order|up to scratch|(?:a|another) round of|"
    r"(?:some|general|various|any) (?:improvements|enhancements|fixes|changes|cleanup|tweaks)|as you (?:think|see) "
    r"(?:best|fit)|however (?:it |you |they )?(?:makes? sense|seems? (?:best|right|sensible|fit)|see fit|think|"
    r"like|want|prefer|works?|fits?)|whatever (?:[\w-]+ )?(?:you|we) (?:think|feel|see fit|like|want|prefer))\b",
    re.IGNORECASE,
)
"""Open scope that no criterion closes, a result left to chance ('see what comes out of it'), or whatever strikes
the contractor as wanting work ('clean up whatever looks messy'), an ask for what to do ('work out what we should
be doing differently') or for everything on a topic ('everything relevant about housing'). Counted things are
bounded ('the three things we'll do in 2027'), and the 'etc' of a path (`/etc/nginx/conf.d`) is a directory."""
_OPEN_NOUN = pattern_cache.compile(
    r"\b(?:give|do)\b(?: [\w'’-]+){0,8}? (?:a|an|some)(?: \w+)? (?:refresh|polish|once-over|going-over|facelift|"
    r"makeover|tune-up|touch-up|tidy(?:-up)?|clean-?up|spruce-up|brush-up|rework|overhaul)\b",
    re.IGNORECASE,
)
"""The open verb as a noun: 'give the three emails below a refresh', 'do a pass over the docs'."""
_OPEN_VERB = pattern_cache.compile(
    _START + r"(?:improve|clean ?up|tidy(?: up)?|polish|tighten(?: up)?|modernis[e]|moderniz[e]|"
    r"optimi[sz]e|refactor|rework|revamp|streamline|address|handle|work on|help(?: with)?|look (?:at|into|over|through)|"
    r"think (?:about|through|over)|read (?:over|through)|check over|skim|"
    r"investigate|fix up|speed up|simplify|harden|sort|touch up|spruce up|go over|go through|redo|revisit|"
    r"overhaul|tweak|tune|massage|finesse|rethink|enhance|freshen up|sharpen|rationali[sz]e|declutter|de-?clutter|"
    r"dig into|delve into|assess|evaluate|review|audit|see (?:whether|if)|iron out|upgrade|refine|elevate|"
    r"enrich|strengthen|boost|lift|uplift|perfect|hone|fine-tune|burnish|buff|revitali[sz]e|reinvigorate|energi[sz]e|"
    r"supercharge|turbocharge|future-proof|professionali[sz]e|sweeten|spruce|flesh out|nail down|hash out|"
    r"(?!(?:set|write|sum|back|pick|look|open|call|add|break|wrap|sign|fill|draw|put|build|mock|spin|line|round|"
    r"total|tally|bring|make|end|free|hook|wire|start|boot|stand|show|count|gather|type|mark|split)\b)[a-z]+ up)"
    r"\b(?:[^.;]|\.(?=\w))*",
    re.IGNORECASE,
)
"""A verb that names an area of work or a judgement rather than the work ('improve', 'sharpen', 'dig into', and
the evaluative phrasal verbs: punch up, beef up, level up, firm up), so it needs a criterion."""
_GENERIC_OBJECT = pattern_cache.compile(
    _START + r"(?:(?:make|get) (?:it|them|this|that|things|the [\w-]+(?: [\w-]+)?) (?:better|nicer|faster|"
    r"cleaner|good|great|right|work|more [\w-]+|less [\w-]+)|(?:fix|update|upgrade|change) (?:it|this|that|them|things|"
    r"everything|the (?:bugs?|issues?|problems?|errors?|code|docs|stuff))(?: in [\w /.-]+)?)\W*$",
    re.IGNORECASE,
)
"""A concrete verb with nothing concrete to act on, and no criterion: 'make the tests better', 'fix the bugs in
billing' (but 'fix the bug in the chunk below so it returns 0' says what done is)."""
_UNMEASURED = pattern_cache.compile(
    r"\b(?:(?:could|should|ought to|might|needs? to|has to) be (?:a (?:lot|bit) |much |more |less )?"
    r"(?:better|nicer|cleaner|faster|improved|simpler|clearer|tidier)|(?:a|an) (?:better|nicer|cleaner|healthier) "
    r"(?:state|place|shape)|(?:is|it's|are) (?:a mess|not great|not good enough|messy|clunky|awkward|confusing))\b",
    re.IGNORECASE,
)
"""A wish or a complaint ('the results could be better', 'into a better state', 'it's a mess') with no measure:
the contractor cannot tell what would count as done."""
_CRITERION = pattern_cache.compile(
    r"\bso\b|\bfor (?:\w+ ){0,2}(?:that|which|where)\b|\bsuch that\b|\buntil\b|\bby [\w-]+ing\b|\bwhy\b|\bwhether\b|"
    r"\b(?:ascending|descending|alphabetical(?:ly)?|chronological(?:ly)?)\b|:\s+\w+(?:,? [\w'-]+){2,}|\bwhen\b|\bif\b|"
    r"\binstead of\b|\brather than\b|(?<!look )(?<!looking )(?<!dig )(?<!delve )"
    r"\binto\b(?! (?:an? )?(?:better|nicer|cleaner|healthier|good|decent) )|"
    r"\bfrom \S+ to\b|(?<!the )(?<!these )(?<!those )(?<!all )(?:\d|\b(?:one|two|three)\b)|"
    r"\bfor (?:bugs|errors|typos|security issues|correctness|race conditions|leaks|crashes|thread safety)\b|"
    r"\bagainst (?:the |our |a |an |its )?(?:[\w-]+ ){0,3}?[\w-]+|"
    r"\bto (?!make\b|be\b|look\b|feel\b|seem\b|(?:the|an?|our|their|my|your|its|his|her|this|that|these|those)\b)"
    r"[a-z]+\b|"
    r"\bwith (?:a|an) \S+|(?:^|\s)--?\w|\b(?:unused|duplicated?|dead|deprecated|broken|failing|missing|trailing|"
    r"redundant|commented-out|stale|obsolete)\b|" + re.escape(prose.DATA),
    re.IGNORECASE,
)
"""What says when the work is done ('so that ...', 'by upper-casing ...', a number, 'ascending', what it is checked
or hardened against, the defect it is reviewed for); words that only pick the object ('the points below', 'the three
emails', 'to the team', the 'into' of 'look into') do not."""
_EVALUATIVE = (
    r"(?:better|worse|nicer|cleaner|faster|smoother|snappier|simpler|clearer|easier|tidier|stronger|richer|"
    r"healthier|slicker|crisper|punchier|friendlier|prettier|livelier|sturdier|leaner|tighter|sharper|smarter|"
    r"bolder|warmer|lighter|quicker|safer|sleeker|fresher|neater|more (?!than\b)[\w-]+|"
    r"(?:in line with |up to |according to |following )?(?:best practices?|industry standards?|modern standards)|"
    r"less (?:of an? )?(?!than\b)[\w-]+|"
    r"up to (?:date|scratch|speed|standard|par)|to the next level|(?:a|some) (?:good |better |decent )?"
    r"(?:state|shape|place) (?:that )?(?:we|you|they|I|everyone|people)(?:'re| are| am|'d be| would be| will be)? "
    r"(?:happy|comfortable|pleased|proud|ok|okay) with|(?:some )?(?:new )?life into|(?:your|some) magic|"
    r"(?:land|lands|read|reads|feel|feels|look|looks|work|works|sound|sounds) (?:well|right|good|great)|"
    r"(?:good|better|decent|proper|reasonable|presentable|usable|acceptable|working) (?:shape|state|order|condition)|"
    r"more zing|(?:pop|shine|sing)\b|(?:a |an )?(?:proper|good|better|decent|thorough|great|nice|solid|professional) "
    r"(?:job|effort|pass|attempt)|(?:is|are|be|looks?|feels?|reads?|seems?)(?: \w+ly)? (?:good|great|solid|robust|"
    r"sound|fine|nice|clean|polished|professional|proper|decent|right|ok|okay|perfect|excellent|top-notch|"
    r"first-rate|fit for purpose|in good shape)\b)(?: to [a-z]+)?"
)
"""An end state that is a judgement, not a check: 'better', 'more robust', 'less of a drag', 'up to date', 'to the
next level', 'a state we're happy with', 'in line with best practice', 'less painful to read'."""
_AIMS_AT_JUDGEMENT = pattern_cache.compile(
    _START
    + rf"(?:make(?: sure)?|ensure|see to it|get|give|bring|take|put|work|breathe|have|do)\b(?:[^.;]|\.(?=\w)){{0,60}}?\b{_EVALUATIVE}",
    re.IGNORECASE,
)
"""A light verb aimed only at a judgement: 'make CI less of a drag', 'give the FAQ more zing', 'take it to the
next level', 'have the text do a better job', 'make sure the rows are solid'. After a concrete verb ('rewrite it in
a warmer tone', 'pick the better of the two') the judgement only qualifies the work."""
_JUDGED_OUTCOME = pattern_cache.compile(
    rf"\b(?:so(?: that)?|whether|to see (?:if|whether)|until|such that|(?:could|should|would) be)\b[^.;]*?\b"
    rf"{_EVALUATIVE}[^.;\d]*(?=[.;]|$)|\bso(?: that)? (?:it|they|this|people|readers?|users?|customers?) (?:\w+ly )?"
    rf"[a-z]+(?: (?:well|nicely|smoothly|naturally|right))?(?=\W*$)|\bsee (?:if|whether)\b|\b(?:in)?to (?:an? |the |some )?(?:[\w-]+ )?{_EVALUATIVE}|\b{_EVALUATIVE}",
    re.IGNORECASE,
)
"""What a criterion is not: an outcome that is only a judgement ('so it lands better with customers', 'whether the
rounds could be better', a bare 'so it flows'), and the 'if' of 'see if'; unless it holds a number, it is taken out before
looking for a criterion."""
_ALSO_OPEN = 3
"""The most phrases that open the scope one finding names."""
_JUDGED_END = pattern_cache.compile(
    rf"\b(?:until|till|til)\b(?: (?:it|they|this|that|everything|the [\w-]+)(?:['’]s| is| are)?)?[^.;\d]{{0,30}}?"
    rf"\b{_EVALUATIVE}(?=\W*(?:[.;]|$))",
    re.IGNORECASE,
)
"""Work that runs until a judgement holds ('Polish it up until it's in good shape', 'iterate till it reads
better'): its end is the contractor's opinion, whatever else the goal names. 'Until the tests pass' is a check."""
_NAMED_NUMBER = pattern_cache.compile(r"\b(?-i:[A-Z][a-z]*)\.? ?\d[\w.]*|\b[a-z]+-\d+\b|\bv?\d+(?:\.\d+){2,}\b")
"""A number inside a name ('Year 10', 'Q3', 'Python 3.10', 'Room 4', 'the day-1 email') or a version ('the 3.1.0
changelog') names the object; it counts nothing."""
_DELIVERABLE = pattern_cache.compile(
    r"\band (?:then )?(?:list|write|draft|produce|return|give|count|rank|name|mark|label|convert|rename|replace|"
    r"remove|delete|add|split|merge|compute|calculate|extract|translate|summari[sz]e|classify|sort|pair|match|"
    r"tabulate|flag|quote|report|fix|rewrite|answer|estimate|recommend|pick|choose)\b",
    re.IGNORECASE,
)
"""A concrete deliverable beside an open verb: 'review the query below and list each full scan'."""
_MIN_WORDS = 5
_WHOLE_TASK = pattern_cache.compile(
    r"^\W*(?:list|count|translate|convert|extract|classify|categori[sz]e|route|match|rank|sort|number|tag|label)\s+"
    r"(?:every|each|all(?: the)?)\s+\w+",
    re.IGNORECASE,
)
"""A short goal that is a whole task: a concrete verb over every item of the material ('list every substantive
difference', 'translate each string'). The material says what the items are."""


def check(spec: Spec) -> list[Finding]:
    section = spec.sections.get("goal")
    if section is None:
        return []
    lines = [line for line in prose.lines(section) if line.text.strip()]
    if not lines:
        return []
    text = " ".join(line.text.strip() for line in lines)
    first = lines[0]
    if len(re.findall(r"\w+", text)) < _MIN_WORDS and not _WHOLE_TASK.match(text) and not _introduces(spec, lines[-1]):
        return [_vague(first.number, text, "is too short to act on")]
    for line in lines:
        if opened := [match.group(0) for match in _OPEN_SCOPE.finditer(_without_code(line))]:
            # Each phrase that opens the scope is named: 'Have a look around ... and improve things'.
            also = "".join(f" (and '{other}')" for other in opened[1:_ALSO_OPEN])
            return [_vague(line.number, opened[0], "leaves the scope open" + also)]
        if match := _JUDGED_END.search(line.text):
            return [
                _vague(line.number, match.group(0), "ends when it is judged good, not when anything checkable holds")
            ]
    if _checkable(text):
        return []
    if match := _OPEN_VERB.match(first.text) or _OPEN_NOUN.search(first.text):
        return [_vague(first.number, match.group(0), "names an area of work, not the work or when it is done")]
    for line in lines:
        if match := _UNMEASURED.search(line.text):
            return [_vague(line.number, match.group(0), "asks for better, not by what measure or when it is done")]
    if match := _AIMS_AT_JUDGEMENT.match(first.text):
        return [_vague(first.number, match.group(0), "aims at a judgement, not a result anyone could check")]
    if match := _GENERIC_OBJECT.match(first.text.split(",")[0].split(" for ")[0]):
        return [_vague(first.number, match.group(0).strip(" ."), "says what to touch, not what to do to it")]
    return []


def _without_code(line: prose.Line) -> str:
    """The line's prose with its backticked spans blanked: a word in backticks is mentioned ('unless the last word
    is one of `ed.`, `Jr.`, `etc.`'), not used to leave the scope open."""
    return prose.without_quotes(_CODE_SPAN.sub(" ", line.raw)) if "`" in line.raw else line.text


_CODE_SPAN = pattern_cache.compile(r"`[^`\n]*`")


def _introduces(spec: Spec, line: prose.Line) -> bool:
    """A short ask that ends in a colon over a block or a list ('Write a function:' over its signature, 'Add:' over
    the columns to add) is as long as what it introduces."""
    return prose.introduces_data(prose.lines(Section("spec", 1, spec.text, 1)), line.number - 1)


def _checkable(text: str) -> bool:
    """The goal states something checkable: a criterion once judgements, names and the sentences that only bound
    the work ('Keep the £40 threshold') are set aside, or a concrete deliverable verb."""
    plain = _JUDGED_OUTCOME.sub(" ", _NAMED_NUMBER.sub("NAME", spec_sections.without_bounds(text)))
    return bool(_CRITERION.search(plain) or _DELIVERABLE.search(plain))


def _vague(line: int, quote: str, message: str) -> Finding:
    return prose.finding(
        "vague-goal",
        line,
        quote,
        message,
        "say what to produce or change, about what, and how to tell it is done (e.g. 'so that ...', "
        "the cases to handle, a number)",
    )
