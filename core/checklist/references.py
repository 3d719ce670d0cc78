"""Reference resolution: a definite reference to something the spec does not contain.

The contractor sees only the spec. "The bug Marco raised", "per yesterday's call", "the way you did the Q2
report", "the planning doc" each point at a conversation, a person's opinion or an artifact it has never seen.
The phrase is quoted back with the fix: put the thing itself in the spec.

Beside the phrase families, two structural patterns catch wordings no list foresees: a definite description
followed by a relative clause about someone's act or preference ('the backoff schedule the platform group
standardised', 'whatever Tomasz promised her', 'the version legal was happy with'), and a relative clause about an
earlier occurrence ('whatever tripped up the first go'). Either way the content lives with whoever did it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core import pattern_cache
from core.checklist import prose
from core.spec import Finding, Section, Severity, Spec, paths_in, section_heading

_ARTIFACT_WHAT = "an artifact the spec does not contain"
_MEETING_WHAT = "a meeting or conversation"
_REVISION_WHAT = "a revision the spec does not contain"
_MOMENT_WHAT = "a moment the model was not there for"
_ABSOLUTE_TIME = pattern_cache.compile(
    r"\b\d{1,2}:\d{2}\b|\b\d{4}[-/]\d{2}[-/]\d{2}\b|"
    r"\b\d{1,2} (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b|"
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* \d{1,2}\b",
    re.IGNORECASE,
)
"""A date or a clock time ('02:10–02:25 UTC', '2026/12/02', '2 Dec'): when the spec states one, 'last night' is
that time, pinned down, and what happened then is in what the spec hands over (the dated log lines)."""
_OWN_WORK = pattern_cache.compile(r"the (?:corrected|updated|revised)\b|you\b", re.IGNORECASE)
"""Under Output, 'the revised text' and 'the commands you ran' are the deliverable, the contractor's own work;
anywhere else they are a version someone else made, or work done before."""
_YOU = pattern_cache.compile(r"you\b", re.IGNORECASE)
_THE_OLD_ONE = pattern_cache.compile(
    r"the (?:old|original|current|existing|given) (?:version|function|code|query)\b", re.I
)
"""Under Output, after the code to rewrite is pasted, 'check it against the old version' is that code."""
_REPORT = pattern_cache.compile(
    r"\b(?:cite|list|name|report|include|state|note|record|show|give|tell (?:me|us))\b[^.;:]*$", re.IGNORECASE
)
"""Before 'you used' or 'you ran', a verb that asks for it back ('cite the exact URL you used', 'list the commands
you ran'): the reader's own work on this task, as under Output, not work done before."""
_ACT_WHAT = "what someone decided, said or did, which the spec does not record"
_MEETING = (
    r"(?:call|calls|meeting|meetings|stand-?up|sync|chat|conversation|discussion|thread|retro|review|"
    r"code review|session|workshop|1:1|one-to-one|demo|huddle|planning|offsite|off-site|all-hands|kick-?off|"
    r"town ?hall|brainstorm|interview|slack|teams|zoom|dm|standup notes|email exchange|back-and-forth|"
    r"(?:board )?prep|phone call)"
)
_WHEN = (
    r"(?:yesterday|today|this (?:morning|afternoon|week)|last (?:week|night|time|sprint|month|quarter|year)|"
    r"earlier(?: today)?|(?:on )?(?:monday|tuesday|wednesday|thursday|friday))"
)
_DAY = (
    r"(?<!next )(?<!coming )(?:yesterday|today|this morning|last week|last night|monday|tuesday|wednesday|thursday|"
    r"friday|last (?:spring|summer|autumn|fall|winter|term|semester))"
)
_DAY_OWNED = _DAY + "'s"
_WHO = (
    r"(?:(?:the |our |my )(?:[\w-]+ )?(?:team|agency|vendor|consultants?|client|customer|designer|manager|lawyer|"
    r"editor|director|architect|analyst|lead|reviewer|auditor|board|department|committee|desk|writer|author|"
    r"planner|coordinator|engineer|developer|officer|inspector|surveyor|supervisor|producer|reporter|"
    r"superintendent|foreman|pharmacist|physician|nurse|accountant|controller|counsel|paralegal)s?|"
    r"(?:(?-i:[A-Z]{2,})|(?-i:[A-Z][a-z]+)|[a-z]+) team|(?-i:[A-Z][a-z]+)|legal|finance|marketing|sales|product|design|security|ops|support|management|the board|"
    r"the client|the customer|the reviewers?|the team|the PM|the (?-i:C[A-Z]{1,2}O|VP)|my manager|my boss|the auditors?|"
    r"the stakeholders?|accounting|engineering|leadership|procurement|compliance|hr|qa|the business|"
    r"the clients|the customers|my lead|the lead|the boss|the founders?|the board|the agency|the vendor|"
    r"(?:our|the) (?:designer|manager|lawyer|editor|director|architect|analyst)s?)"
)
_OPINION = (
    r"(?:feedback|comments?|notes|suggestions?|concerns|preferences?|proposals?|requests?|wishes|input|"
    r"corrections|adjustments|edits|remarks|points|requirements|decision|ideas?|changes|caveats|objections|asks|"
    r"pushback|direction|guidance|instructions|take|view|verdict|wishlist)"
)
_SAID = (
    r"(?:asked for|asked|requested|suggested|proposed|flagged|wanted|mentioned|raised|reported|pointed out|"
    r"brought up|recommended|described|sketched|outlined|laid out|prefers|likes|approved|signed off(?: on| for)?|said|wrote|"
    r"walked us through|showed us|explained|presented|demoed|"
    r"told us|meant|noted|complained about|objected to|insisted on|pushed for|decided|wants|needs|expects|"
    r"settled on|agreed on|landed on|came up with|put together|went for|drew up|"
    r"asked us for|is asking for|would like|has in mind|liked|preferred|loved|chose|picked|okayed|ok'd|hated|"
    r"disliked|rejected|agreed to|went with|reckons|thinks|believes|feels)"
)
_DECIDED = (
    r"(?:settled on|agreed (?:on|to)|landed on|decided(?: on)?|chose|picked|approved|signed off on|okayed|"
    r"greenlit|vetoed|warmed to|went with|pushed back on|circulated|floated|pitched|drafted)"
)
"""Past acts only a person does (deciding, approving, circulating): whatever they produced is outside the spec."""
_REQUESTED = r"(?:asked for|requested|suggested|proposed|recommended|preferred|liked)"
"""Asking acts a tool does not do: 'the warnings the linter raised' is output, 'the order the editor preferred' is
someone's wish."""
_ASKED = (
    r"(?:asked for|requested|suggested|proposed|flagged|mentioned|raised|recommended|described|sketched|outlined|"
    r"preferred|liked|rejected)"
)
"""Past acts of asking or saying: what was asked is in the asking, not in the spec."""
_PASSIVE = (
    r"(?:flagged|raised|agreed(?: on)?|decided(?: on)?|approved|rejected|called out|settled(?: on)?|requested|"
    r"suggested|proposed|discussed|mentioned|chosen|picked|signed off(?: on)?|vetoed|circulated|promised|"
    r"pushed back on|shot down|asked for)"
)
_DOC = (
    r"(?:spreadsheet|sheet|screenshot|attachment|doc|document|planning doc|design doc|deck|slides|mockups?|"
    r"wireframes?|figma(?: file)?|recording|transcript|ticket|pull request|PR|MR|issue|email thread|style guide|"
    r"brand guide|guidelines|playbook|wiki page|notion page|confluence page|memo|RFC|brief|minutes|notebook|"
    r"template|checklist|runbook|plan|write-?up|proposal|handbook|manual|wiki|guide|standards|policy doc|"
    r"coding standards|conventions doc|playbook|backlog|roadmap|okrs?|notes|taxonomy|rubric|glossary|scheme|framework)"
)
_ARTIFACT = (
    r"(?:version|report|draft|doc|document|template|structure|email|letter|memo|thread|approach|design|proposal|plan|"
    r"analysis|iteration|attempt|copy|layout|wording|list|numbers|figures|spreadsheet|deck|fix|patch|PR|"
    r"message|messages|note|notes|comment|comments|mail|reply|request|ask|instructions|brief|ticket|spec|"
    r"conversation|chat|call|meeting|session|run|answer|output|result|results|one|ones|newsletter|campaign|"
    r"edition|post|article|announcement|presentation|pitch|changelog|survey|round|audit|inspection|assessment|"
    r"evaluation|refactor|rewrite|redesign|overhaul|cleanup)"
)

_NP_WORD = r"(?!(?:the|a|an|or|and|but|nor|why|how|when|where|what|whether|if|by|in|on|at|for|from|with|to|of|into)(?![\w-]))[\w-]+(?:['’]s)?"
"""A word inside a noun phrase: a conjunction, a preposition or another article starts the next phrase, so 'the
policy or explain why finance made' and 'the points by the rule' are not one thing."""
_AGENT = (
    rf"(?:(?:Mr|Mrs|Ms|Dr|Prof)\.? (?-i:[A-Z][\w'-]+)|(?-i:[A-Z][a-z]+)(?: (?-i:[A-Z][a-z]+))?|he|she|we|I|someone|"
    rf"somebody|{_WHO}|(?:the|our|their|my|your) (?:{_NP_WORD} ){{0,2}}?(?:group|offsite|provider|panel|council|partners?|"
    rf"host|landlord|regulators?|insurers?|bank|school|office|unit|squad|guild|chapter|owners?|people|folks|desk|"
    rf"clinic|hospital|practice|charity|trust|society|club|{_MEETING}))"
)
"""Who can decide, promise or prefer: a name, a person, a team or body, a meeting ('the pricing offsite', 'the
clinic'). Not a company or a class: 'the revenue the company earned' is a fact, 'the methods the class inherited'
is code."""
_ACT = (
    r"(?:(?:\w+ly |finally |eventually |ended up |first |already |previously )?(?:[a-z]{2,}ed|made|set|chose|drew|"
    r"gave|took|told|said|did|covered|learnt|"
    r"wrote|sent|got|put|spoke|saw|built|thought|meant|brought|came up with|went with|went for|laid down|"
    r"stuck with|struck|won|lost|kept|left|ruled|swore|sold|bought|ended up [a-z]+ing)|"
    r"(?:was|were|is|are|seemed|seems) (?:\w+ )?(?:happy|pleased|comfortable|fine|ok|okay|keen|set) (?:with|on)|"
    r"prefers?|likes?|wants?|insists? on|expects?|signs? off on|swears? by|"
    r"(?:is|are|was|were) (?:expecting|asking for|hoping for|counting on|pushing for|looking for|after))"
)
"""A past act or a standing preference: what it produced lives with whoever did it."""
_DEFINITE = (
    rf"(?:the (?:{_NP_WORD} ){{0,3}}?{_NP_WORD}|whatever|whichever|anything|everything|what|wherever|exactly where|where|however|"
    r"the way|how)"
)
_EARLIER = (
    r"(?:the |our |my |that )?(?:first|last|previous|earlier|original|old|prior|former) (?:[\w-]+ )?"
    r"(?:attempt|go|try|round|pass|version|draft|run|cut|iteration|time|rollout|release|launch|import|migration|"
    r"deploy\w*|batch|grant|campaign|proposal|submission|edition|review|audit|incident|outage|site|app|system|"
    r"setup|design|team|vendor|one)s?|last time"
)
"""An earlier occurrence: 'the first go', 'the previous grant', 'the old site'. What it was like is not in the spec."""
PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (pattern_cache.compile(pattern, re.IGNORECASE), what)
    for pattern, what in (
        (
            r"\b(?:as|like|per|what|the way) (?:we|you|I|they) (?:discussed|agreed(?: on)?|decided|said|mentioned|talked about|"
            r"settled on|planned|went over|chose|landed on)\b",
            "a past conversation",
        ),
        (
            r"\b(?:we|you and I) (?:discussed|agreed(?: on)?|decided(?: on)?|talked about|settled on|went over|chose|landed on)\b",
            "a past conversation",
        ),
        (
            r"\b(?:I|we) (?:sent|gave|showed|shared|forwarded|mentioned|told|emailed|pasted|posted|linked)(?: (?:you|over|earlier))?\b",
            "something sent outside the spec",
        ),
        (
            r"\b(?:like|as|the (?:same )?way) (?:you|we|they|the [\w-]+(?: [\w-]+)? team|our [\w-]+ team|(?-i:[A-Z][a-z]+)) "
            r"(?:did|wrote|made|built|handled|restructured|fixed|formatted|set up|used|structured|laid out|ran)\b",
            "earlier work the model cannot see",
        ),
        (
            rf"\b(?:per (?:{_DAY_OWNED}|the|our|my|your|this morning's)|(?:from|in|at|on|during)"
            rf"(?! an? )(?: {_DAY_OWNED}| the| our| my| your| this morning's)?|(?:after|since)(?: {_DAY_OWNED}| the| "
            rf"our| my| your| this morning's)) (?:[\w-]+ ){{0,2}}?{_MEETING}\b",
            _MEETING_WHAT,
        ),
        (
            rf"\b(?:the|what|how)(?: [\w-]+){{0,2}}? {_MEETING} {_SAID}\b",
            "a decision made in a meeting the model was not in",
        ),
        (rf"\b{_DAY_OWNED} (?:[\w-]+ ){{0,2}}?{_MEETING}\b", _MEETING_WHAT),
        (rf"\b{_MEETING} (?:with [\w ]{{1,30}} )?{_WHEN}\b", _MEETING_WHAT),
        (rf"\b(?:over|on) the phone (?:with [\w ]{{1,30}} )?{_WHEN}\b", _MEETING_WHAT),
        (
            r"\b(?:we|I|you|they)(?:'ve| have| had)? (?:\w+ly )?(?:showed|shown|presented|sent|used|built|made|wrote|"
            r"written|drafted|prepared|shared|started|began|begun|did|done|tried|picked|chose|settled|looked at|saw|"
            r"went with|came up with|sketched|agreed|promised|got|received|ran|set up)\b",
            "earlier work the model cannot see",
        ),
        (
            r"(?<!\bleft )(?<!\bleave )(?<!\bkeep )(?<!\bkept )(?<!\bstay )(?<!\bstays )(?<!\bremain )"
            r"\b(?:as|like|the way) (?:it|they|this|that) (?:went out|was sent|were sent|looked|read|appeared|was|were|"
            r"used to)\b",
            "an earlier version the model cannot see",
        ),
        (
            r"\b(?:yesterday|earlier today|this morning|last night|the other day|a while ago|recently)\b(?!'s)",
            _MOMENT_WHAT,
        ),
        (
            r"\b(?:where (?:we|you|I) left off|pick(?:ing)? up where|carry on from where|continue from where)\b",
            "earlier work the model cannot see",
        ),
        (
            r"\b(?:as|like|same as) (?:before|last time|usual|always|discussed|agreed|mentioned|planned|requested|promised|"
            r"requested)\b",
            "something the spec does not say",
        ),
        (
            r"\bthe (?:corrected|updated|revised) (?:[\w-]+ )?"
            r"(?:figures?|numbers?|data|version|copy|wording|text|spec|design|list|estimate|values?|totals?|dates?|prices?|"
            r"pricing|plan|requirements|scope|brief|mockups?|logo|assets?)\b",
            _REVISION_WHAT,
        ),
        (
            r"\bthe (?:agreed|approved|right|real|actual) (?:[\w-]+ )?"
            r"(?:figures?|numbers?|data|version|copy|wording|text|spec|design|list|estimate|values?|totals?|dates?|prices?|"
            r"pricing|plan|requirements|scope|brief|mockups?|logo|assets?)\b",
            _ARTIFACT_WHAT,
        ),
        (
            r"\bthe (?:new|latest) (?:[\w-]+ )?(?:polic(?:y|ies)|rules|terms|guidelines|numbers|figures|pricing|"
            r"prices|rates|requirements|naming|conventions|process|schedule|deadlines?|targets|branding|messaging|"
            r"tone|direction|strategy|criteria|thresholds|limits|budget|priorities|scope|wording|copy)\b",
            _ARTIFACT_WHAT,
        ),
        (
            r"\bthe (?:remaining|outstanding|unresolved|lingering|recurring|original) (?:[\w-]+ )?"
            r"(?:issues?|bugs?|problems?|complaints?|concerns?|todos?|questions?)\b"
            r"(?! (?:section|list|page|table|log|label|tracker|template)s?\b)",
            "a problem the spec does not describe",
        ),
        (
            r"\b(?:the|our) [\w-]+ (?:that|which) (?:worked|went down|landed|performed) (?:so )?(?:well|great|best)\b|"
            r"\bwhat worked (?:well |best )?(?:last time|before)\b",
            "an earlier result the model cannot see",
        ),
        (
            r"\bour (?:conventions|standards|guidelines|norms|best practices|house rules|coding style)\b",
            "a convention the spec does not spell out",
        ),
        (
            r"\b(?:the|whatever|what|how) (?:[\w-]+ ){0,3}?(?:we|I|they|you) (?:normally|usually|typically|always|generally|"
            r"tend to|would normally|customarily) [a-z]+\b",
            "a convention the spec does not spell out",
        ),
        (
            r"\bthe usual\b(?! (?:[\w-]+ )?(?:manufacturer|maker|vendor|supplier|industry|market|statutory|regulatory|"
            r"legal|textbook|published|international|iso|ieee|rfc)s?\b)|\bour (?:usual|normal|typical|customary|go-to|preferred) [\w-]+|\bour standard (?:format|way|style|"
            r"template|layout|structure|process|position|stance|terms|approach|wording|language|playbook|practice)\b|"
            r"\bhouse style\b",
            "a convention the spec does not spell out",
        ),
        (
            rf"\b(?:from before|(?<!review )(?<!check )(?<!test )(?<!ship )(?<!finish )(?<!merge )(?<!land )(?<!deploy )"
            rf"(?<!done )(?<!ready )(?<!it )(?<!them )(?<!this )before)"
            rf" (?:the|our|{_DAY_OWNED}|last \w+'s) (?:[\w-]+ )?(?:redesign|migration|rewrite|refactor|"
            r"update|upgrade|change|changes|launch|rebrand|outage|cutover|deploy|deployment|release|incident|merge|revamp)\b",
            "an earlier state the model cannot see",
        ),
        (
            r"\b(?:how|the way) (?:it|they|this|that) (?:behaved|worked|looked|used to|was|were|read|ran)\b",
            "an earlier state the model cannot see",
        ),
        (
            r"\bthe same (?:[\w-]+ )?(?:format|layout|structure|style|tone|template|shape|approach|wording) as (?:the |our |my )?"
            r"(?:previous|last|earlier|old|other|usual|existing|before|one|ones)\b|\b(?:previous|earlier|prior|last|old) ones\b",
            "an earlier artifact the model cannot see",
        ),
        (
            rf"\bthe same (?:[\w-]+ ){{1,3}}as (?:in )?(?:the|our|my) (?:[\w.-]+ ){{0,3}}"
            rf"(?:{_ARTIFACT}|synthesis|summary|write-?up|study|workshop)\b",
            _ARTIFACT_WHAT,
        ),
        (
            rf"\b(?:the|our|my|your|that) (?:earlier|previous|prior|last|old|former) (?:[\w-]+ )?{_ARTIFACT}\b",
            "an earlier artifact the model cannot see",
        ),
        (
            rf"\b(?:the|our) (?:[\w-]+ )?{_ARTIFACT} from (?:last|the last|the previous|yesterday|earlier|before|"
            r"(?:january|february|march|april|may|june|july|august|september|october|november|december)(?! \d))\b",
            "an earlier artifact the model cannot see",
        ),
        (
            rf"\b(?:last (?:week|month|quarter|year|sprint|time)|{_DAY})'s (?:[\w-]+ )?{_ARTIFACT}\b",
            "an earlier artifact the model cannot see",
        ),
        (
            rf"\b(?:the|a|an|that) (?:[\w-]+ ){{1,4}}?(?:that |which )?(?:(?:(?-i:[A-Z][a-z]+)|we|they|he|she|someone) "
            rf"(?:{_DECIDED}|{_ASKED})|(?:the|our|my|your|their) [\w-]+(?: [\w-]+)? (?:{_DECIDED}|{_REQUESTED}))\b",
            "someone's decision the spec does not state",
        ),
        (
            rf"\b(?:that|which|what|as) (?:got|was|were|had been|has been|have been) (?:\w+ly )?{_PASSIVE}\b|"
            r"\b(?:that|which|what) came up\b",
            "a decision made where the model was not",
        ),
        (rf"\b{_WHO}(?:'s| team's) (?:[\w-]+ )?{_OPINION}\b", "someone's opinion the spec does not state"),
        (
            rf"\b(?:the|their) (?:[\w-]+ )?{_OPINION} (?:from|by|of) (?!the (?:list|table|inputs?)\b)(?:the |our |a )?"
            rf"(?:[\w-]+ ){{0,2}}?(?:{_MEETING}|{_WHO}|team|client|customer|reviewers?|stakeholders?|users?)\b",
            "someone's opinion the spec does not state",
        ),
        (rf"\b(?:the|what) (?:[\w-]+ ){{0,3}}?{_WHO} {_SAID}\b", "someone's opinion the spec does not state"),
        (
            rf"\b(?<!as )(?:the way |how |what ){_WHO} {_SAID}\b|\b{_WHO} {_SAID} (?:in|at|during|on) ",
            "someone's opinion the spec does not state",
        ),
        (
            rf"\b(?:the|our|that|this) (?:[\w-]+ ){{0,2}}?{_DOC} (?:that |which )?(?:(?-i:[A-Z][a-z]+)|I|we|you|they|he|she|legal|"
            rf"finance|the team|someone) (?:shared|sent|attached|wrote|made|linked|posted|forwarded|prepared|put together)\b",
            _ARTIFACT_WHAT,
        ),
        (
            rf"\b(?:in|from|per|according to|described in|mentioned in|outlined in|based on|following|on) "
            rf"(?:the|our|his|her|their|my|your) "
            rf"(?:[\w-]+ ){{0,2}}?{_DOC}\b(?! (?:below|above|quoted|pasted|included|under))",
            _ARTIFACT_WHAT,
        ),
        (
            r"\b(?:the|an?) attached\b|\bI attached\b|\b(?:is|are) attached\b|\bsee (?:the )?attach",
            "an attachment (nothing is attached to a spec)",
        ),
        (
            r"\bthe (?:reviewer'?s?|review) comments\b|\bthe (?:PR|pull request|MR|ticket|issue)(?! (?:below|above|quoted|text|#))\b",
            _ARTIFACT_WHAT,
        ),
        (
            r"\bthe (?:fix|change|patch|commit|workaround|hack|tweak)(?:es|s)? (?:from|on|we|you|I|that (?:we|you|I))\b",
            "something done elsewhere that the spec does not show",
        ),
        (
            r"\bthe same (?:fix|change|approach|treatment|trick|pattern|steps|process|solution|workaround|tweak|idea)\b",
            "something done elsewhere that the spec does not show",
        ),
        (rf"\b{_DEFINITE} (?:that |which )?{_AGENT} {_ACT}\b", _ACT_WHAT),
        (
            r"\b(?:whatever|anything|everything|what) (?:that |which )?(?:the |our |my |their )?(?:[\w-]+ ){0,2}?"
            r"(?:already|previously) (?:[a-z]{2,}ed|did|done|made|saw|seen|read|wrote|written|learnt|knew|got|had)\b",
            "what was done before, which the spec does not record",
        ),
        (rf"\b{_WHO}(?:'s| team's) (?:[\w-]+ )?{_DOC}\b", _ARTIFACT_WHAT),
        (
            rf"\b(?:what|whatever|anything|everything)\b[^.;]{{0,30}}?\b(?:in|at|from|out of|during) (?:the|our|that|last|"
            rf"{_DAY_OWNED}|this morning's) (?:[\w-]+ )?{_MEETING}\b",
            _MEETING_WHAT,
        ),
        (
            rf"\b(?:{_DEFINITE} (?:that |which )?{_EARLIER} (?:had|used|did|showed|gave|made|got)|the (?:[\w-]+ ){{0,2}}?"
            rf"[\w-]+ (?:from|in|of|during|on) {_EARLIER})\b",
            "an earlier state the model cannot see",
        ),
        (
            r"\bthe (?:agreed(?:[- ]upon)?|approved|signed[- ]off|sanctioned|preferred|chosen|promised|requested|"
            r"recommended|mandated|stipulated|prescribed|decided|favou?red) (?:[\w-]+ )?[\w-]+",
            _ACT_WHAT,
        ),
        (
            rf"\b(?:whatever|whichever|what|anything|everything|the [\w-]+(?: [\w-]+)? (?:that|which)) (?:\w+ly )?"
            rf"(?:[a-z]{{2,}}ed|made|got|went|broke|took|caused|did|won|lost|killed|sank|blew up)(?: \w+)?? "
            rf"(?:up |out |through |in |on |down |wrong (?:with |in |on )?)?(?:{_EARLIER})\b",
            "what happened last time, which the spec does not say",
        ),
    )
)

_ABOVE = pattern_cache.compile(
    r"\b(?:the (?:file|code|text|snippet|function|data|output|list|table|email|message|error) above|"
    r"the above (?:file|code|text|snippet|function|data|output|list|table|email|message|error)|"
    r"see above|see (?:the )?chat|(?:from|in) (?:the|our) (?:chat|conversation)|"
    r"our (?:earlier|previous) conversation|you know (?:what|which))\b",
    re.IGNORECASE,
)
"""Pointing back at what came before: in a spec that has handed over nothing yet, that is the chat it came from."""
_HERE_IN_PARENS = r"[^.;()]{0,60}?\((?:pasted|quoted|included|given|copied|shown)?\s*(?:below|above|here)\)"
"""A parenthesis closing the noun phrase says the spec holds it: 'the raw notes from Thursday's meeting (pasted
below)'."""
_CONTAINED = pattern_cache.compile(
    _HERE_IN_PARENS + r"|"
    r"\W*(?:\w+\W+){0,2}?(?:below|above|listed|quoted|pasted|following|included|under inputs)\b|"
    r"\W*(?:in|from|on|of) (?:the|this) [\w-]+ (?:below|above)\b|"
    r"\s*" + re.escape(prose.DATA) + r"|[^.;:]{0,60}?:(?!//)\s*\S|"
    r",\s+[^.;:]{1,40}? (?:is|are) (?:in|at) (?:cells? |columns? |rows? )?(?-i:[A-Z]{1,3}\d*)\b|"
    r"\s*(?:,|\(|—| -)\s*(?:which (?:is|was|means)|i\.e\.?|that is|namely|of)?\s*(?:[^\s,.;]*\d|"
    + re.escape(prose.DATA)
    + ")",
    re.IGNORECASE,
)
"""What follows a reference that the spec itself holds: 'the feedback below', 'flagged in the table below', 'the
notes: ...', 'the memo "…"', 'what Priya flagged in the team thread, quoted: "…"', 'in the sheet, principal is in
B1' (its layout, stated), 'the cut-off Jo suggested, 500' (its value, stated)."""


def check(spec: Spec) -> list[Finding]:
    whole = Section("spec", 1, spec.text, 1)
    findings: list[Finding] = []
    section = spec.sections.get("inputs")
    inputs = _inputs_named(section)
    seen_data = False
    lines = prose.lines(whole)
    given: dict[frozenset[str], bool] = {}
    output = spec.sections.get("output")
    deliverable = range(output.line, output.body_line + len(output.body.splitlines())) if output else range(0)
    dated = _ABSOLUTE_TIME.search(spec.text) is not None
    context = _Context(lines, inputs, deliverable, given, prose.Pointers(lines), dated)
    after = _lines_after_the_work(spec)
    for index, line in enumerate(lines):
        if line.data:
            seen_data = True
            continue
        if section_heading(line.raw):
            continue  # '## What I need' names a section; it refers to nothing
        if not seen_data and (match := _ABOVE.search(line.text)) and not _given(match.group(0), context):
            findings.append(_finding(line.number, match.group(0), "the conversation the spec was written in"))
            continue
        seen_data = seen_data or prose.DATA in line.text
        if prose.introduces_data(lines, index):
            continue
        text = _QUOTED.sub(prose.DATA, line.text)
        hits = [
            (match, what)
            for pattern, what in PATTERNS
            if (match := next((m for m in pattern.finditer(text) if _unresolved(m, what, text, line, context)), None))
        ]
        # One finding per reference: a match overlapping one already taken (from a pattern listed earlier) is the
        # same reference read another way.
        taken: list[tuple[re.Match[str], str]] = []
        for match, what in hits:
            if all(match.end() <= other.start() or match.start() >= other.end() for other, _ in taken):
                taken.append((match, what))
        severity = Severity.WARNING if line.number in after else Severity.ERROR
        findings += [_finding(line.number, match.group(0), what, severity) for match, what in sorted(taken, key=_start)]
    return findings


_AFTER_THE_WORK = ("escalation", "verification")
"""Sections about what happens once the work is done: who decides and how it is checked. A reference there ('the
release PR', 'the issue') is most often to something still to come, and on first contact such references were
refusals of good specs and of no vague one; it is a warning."""


def _lines_after_the_work(spec: Spec) -> set[int]:
    return {
        section.body_line + offset
        for name in _AFTER_THE_WORK
        if (section := spec.sections.get(name)) is not None
        for offset in range(len(section.body.splitlines()))
    } | {section.line for name in _AFTER_THE_WORK if (section := spec.sections.get(name)) is not None}


@dataclass(frozen=True)
class _Context:
    """What a match is judged against: the spec's lines, the Inputs, the Output's lines, the cache of kinds the
    spec hands over, and where it points at material over data."""

    lines: list[prose.Line]
    inputs: str
    deliverable: range
    given: dict[frozenset[str], bool]
    pointers: prose.Pointers
    dated: bool
    """The spec states a date or a clock time (_ABSOLUTE_TIME)."""


def _unresolved(match: re.Match[str], what: str, text: str, line: prose.Line, context: _Context) -> bool:
    """The match is a reference the spec leaves unresolved. Each match on the line is tried in turn: the first
    may be resolved ('What I need: ...' is a label) and a later one not ('the version we put together')."""
    return not (
        _CONTAINED.match(text, match.end())
        or _TO_COME.search(text, max(0, match.start() - 40), match.start())
        or _OWN_FINDING.search(text, max(0, match.start() - 30), match.start())
        or (what in _SOURCES and _AHEAD.search(text, max(0, match.start() - 20), match.start()))
        or (what == _MOMENT_WHAT and context.dated)
        or (what == _MOMENT_WHAT and _DUE.search(text, max(0, match.start() - 20), match.start()) is not None)
        or (what == _MOMENT_WHAT and _IF_LATELY.search(text, max(0, match.start() - 80), match.end() + 20) is not None)
        or _AUDIENCE_DID.search(text, max(0, match.start() - 30), match.start()) is not None
        or (what == _ARTIFACT_WHAT and _named_in_inputs(match.group(0), context.inputs))
        or (what == _ARTIFACT_WHAT and _CASE.search(text, max(0, match.start() - 10), match.start()))
        or (what == _ARTIFACT_WHAT and _anaphora(match.group(0), text[: match.start()]))
        or (what == _ARTIFACT_WHAT and _sought_before(match.group(0), line, context.lines))
        or (what == _ARTIFACT_WHAT and _ON_IT.search(text, max(0, match.start() - 20), match.start() + 3))
        or (what == _ARTIFACT_WHAT and _FIELD_OF.match(text, match.end()) is not None)
        or (what == _MEETING_WHAT and _CODE_CALL.search(match.group(0)) is not None)
        or (match.group(0).lower().endswith("as before") and _UNCHANGED.search(text, 0, match.start()) is not None)
        or (line.number in context.deliverable and _OWN_WORK.match(match.group(0)))
        or (
            line.number in context.deliverable
            and _THE_OLD_ONE.match(match.group(0))
            and any(earlier.data for earlier in context.lines if earlier.number < line.number)
        )
        or (_YOU.match(match.group(0)) is not None and _REPORT.search(text, max(0, match.start() - 50), match.start()))
        or _given(match.group(0), context)
        or _hands_over(text, match)
        or (what in _SOURCES and _POINTS_AT_DATA.search(_sentence(text, match)) is not None)
        or (what in _SOURCES and _source_given(match.group(0), context.lines))
        or (_SELF.search(match.group(0)) is not None and not _ELSEWHEN.match(text, match.end()))
        or (_ROLE.search(match.group(0)) is not None and _EACH_CASE.search(_sentence(text, match)) is not None)
    )


_DUE = pattern_cache.compile(r"\b(?:due|dated|expired|expiring|expires|scheduled for|booked for)\s+$", re.IGNORECASE)
"""A date of the material's own, relative to the day it runs ('a recall due yesterday appears on the page')."""
_IF_LATELY = pattern_cache.compile(
    r"\b(?:if|whether|unless|when)\b[^.;:]*\brecently (?:been )?(?:changed|updated|revised|amended|replaced|"
    r"withdrawn|moved|published|reissued|superseded|renamed)\b",
    re.IGNORECASE,
)
"""'recently' in a condition on the world the contractor looks at ('say whether the rule was recently amended'):
a case to check and report, not a moment the writer saw and the model did not."""
_AUDIENCE_DID = pattern_cache.compile(
    r"\b(?:who|that) (?:\w+ly )?(?:opened|received|read|clicked|got|answered|ignored|attended|downloaded|"
    r"replied to|signed up (?:for|through)|unsubscribed from) $",
    re.IGNORECASE,
)
"""Before the reference, what people did with it ('the members who clicked our last mailing'): it says who they
are, and the work needs none of its text."""


def _source_given(phrase: str, lines: list[prose.Line]) -> bool:
    """The same meeting or earlier artifact is named elsewhere as the source of what the spec hands over ('Below
    are my rough notes from this morning's warehouse ops sync'): a title naming it ('# Actions from the warehouse
    ops sync') is about that material."""
    head = phrase.split()[-1].lower()
    return any(
        head in line.text.lower() and _POINTS_AT_DATA.search(line.text) is not None for line in lines if not line.data
    )


_SELF = pattern_cache.compile(
    r"\b(?:I|we)(?:'ve| have)? (?:just )?(?:named|listed|gave|given|quoted|pasted|included|set out|laid out|"
    r"spelled out|specified)\b",
    re.IGNORECASE,
)
"""The writer pointing at their own words in the spec ('the three I named', 'the steps I listed'): unless a place or
a time puts those words elsewhere ('the steps I listed in the ticket', '... last week')."""
_ELSEWHEN = pattern_cache.compile(
    r"\s+(?:in|on|at|during|last|yesterday|earlier|before|previously|to (?:you|them|him|her))\b", re.IGNORECASE
)
_ROLE = pattern_cache.compile(
    r"\bthe (?:customer|client|user|sender|author|caller|requester|requestor|applicant|patient|student|reader|"
    r"reporter|buyer|seller|tenant|guest|member|employee|candidate)s?\b",
    re.IGNORECASE,
)
_EACH_CASE = pattern_cache.compile(
    r"\b(?:if|when|whenever|where|unless|for|each|every|any) (?:a|an|each|every|any|one) [\w-]+|"
    r"\b(?:for )?(?:each|every) [\w-]+",
    re.IGNORECASE,
)
"""A sentence about each case of the material ('If a ticket fits two, pick the one the customer needs resolved
first'): the customer is that ticket's, and what they need is in it."""


_POINTS_AT_DATA = pattern_cache.compile(
    r"\b(?:(?:is|are) (?:below|above|pasted|quoted|included|listed)|(?:pasted|quoted|listed|included) "
    r"(?:below|above|here)|(?:below|above|here) (?:is|are))\b",
    re.IGNORECASE,
)
"""After a reference, its sentence says the spec holds what it is about ('I ran a survey last month; the 12 answers
are below'). Only after it: in 'the answer quoted below, in the tone Dana pushed for' the pointer is to the answer,
and the tone stays hidden. A meeting named as where what is handed over came from ('Below are my notes from
today's planning session') is its source, not a hidden one."""


_SOURCES = (_MEETING_WHAT, "an earlier artifact the model cannot see")
"""References that can name where what is handed over came from ('my notes from today's planning session')."""


def _sentence(text: str, match: re.Match[str]) -> str:
    """The sentence the match is in."""
    start = max(text.rfind(". ", 0, match.start()), text.rfind("? ", 0, match.start()))
    return text[start + 1 : _sentence_end(text, match)]


def _sentence_end(text: str, match: re.Match[str]) -> int:
    """Where the match's sentence ends: the next '. ' or '? ', else the end of the text."""
    ends = [at for at in (text.find(". ", match.end()), text.find("? ", match.end())) if at >= 0]
    return min(ends) if ends else len(text)


def _hands_over(text: str, match: re.Match[str]) -> bool:
    """The rest of the reference's sentence says the spec holds what it is about, or the next sentence opens by
    handing it over ('We ran a survey for the new flow. Below are the 10 answers ...'): the earlier work is handed
    over."""
    end = _sentence_end(text, match)
    return bool(_POINTS_AT_DATA.search(text, match.end(), end) or _NEXT_HANDS_OVER.match(text, end + 1))


_NEXT_HANDS_OVER = pattern_cache.compile(r"\s*(?:below|above|here) (?:is|are)\b", re.IGNORECASE)


def _start(hit: tuple[re.Match[str], str]) -> int:
    return hit[0].start()


_TO_COME = pattern_cache.compile(
    r"\b(?:open|opens|opening|create|creates|creating|filing|raise|raising|submit|submitting|start|"
    r"starting|(?:is|are|gets|get|will be|to be|being)(?: \w+ and)? (?:reviewed|checked|diffed|approved|merged|"
    r"tracked|logged|recorded|filed|posted|tested|verified)(?: by (?:the |our )?[\w-]+(?: [\w-]+)?)?(?: in| on)?) $",
    re.IGNORECASE,
)
"""A verb of making or of what happens next before the reference: 'before I open the PR', 'is diffed and
reviewed in the release PR' name a thing still to come, not one hidden."""
_OWN_FINDING = pattern_cache.compile(
    r"\b(?:nam|describ|explain|stat|summari[sz]|report|identif|pinpoint|flag)\w* $",
    re.IGNORECASE,
)
"""A verb of the contractor's own report before the reference: 'a sentence naming the issue', 'describe the
problem' point at what the contractor will find, which no spec could hold ('fix the issue' points at a known one)."""
_CASE = pattern_cache.compile(r"\b(?:if|whether|unless|when|each|every)\s+$", re.IGNORECASE)
"""Before an artifact, a condition on each case: 'follow up if the issue was not resolved' is about whichever
transcript is read, not one the spec leaves out."""
_FIELD_OF = pattern_cache.compile(
    r"\s+(?:numbers?|ids?|titles?|links?|urls?|names?|labels?|counts?|dates?|authors?|status)\b", re.IGNORECASE
)
"""A field of each such item ('ending with the PR number in parentheses'): the spec's own material holds it."""
_CODE_CALL = pattern_cache.compile(r"(?:\b[A-Za-z]+[a-z][A-Z]\w*|\w+_\w+|\w+\(\)|`[^`]+`)\s+calls?$")
"""A call in code ('hardcodes num_workers=4 in the DataLoader call'), not a phone call."""
_UNCHANGED = pattern_cache.compile(
    r"\b(?:behaves?|behaving|works?|working|runs?|running|functions?|acts?|stays?|remains?)\s+(?:exactly |just |the same )?$",
    re.IGNORECASE,
)
"""'must behave exactly as before': the behaviour the code has now, which the agent can run."""
_ON_IT = pattern_cache.compile(r"\b(?:is|are|was|were|isn['’]t|aren['’]t)(?: not| never)? on $", re.IGNORECASE)
"""A statement that something is or is not on a list ('Xero sync is not on our roadmap') gives the fact itself."""


def _sought_before(phrase: str, line: prose.Line, lines: list[prose.Line]) -> bool:
    """'the migration notes' after 'Find ... the official migration notes that list ...': what the work is sent to
    find, named again, not an artifact someone left out."""
    head = re.escape(" ".join(phrase.split()[-2:]).lower())
    sought = re.compile(rf"\b(?:find|locate|look up|search for|identify|fetch|track down)\b[^.;]*?\b{head}\b", re.I)
    return any(sought.search(earlier.text) for earlier in lines if earlier.number < line.number and not earlier.data)


def _anaphora(phrase: str, before: str) -> bool:
    """'the ticket' after 'a ticket' on the same line is whichever ticket that one is ('Phrases in a ticket ...;
    tag on what the ticket asks for'), like 'each ticket': a case, not an artifact left out."""
    head = phrase.split()[-1]
    return bool(re.search(rf"\b(?:a|an|any|each|every) (?:[\w-]+ )?{re.escape(head)}\b", before, re.IGNORECASE))


_AHEAD = pattern_cache.compile(
    r"\b(?:for|before|ahead of|in time for)(?: the| our| next| this| tomorrow's)? $", re.IGNORECASE
)
"""Before a meeting, what it is for: 'the agenda for the meeting on Thursday' prepares it, it refers to nothing."""
_QUOTED = pattern_cache.compile(r'"[^"\n]*"|“[^”\n]*”')
"""Any quoted span, short ones too: a quoted word is mentioned ('no longer says "recently"'), not used."""
_DOC_WORD = pattern_cache.compile(_DOC, re.IGNORECASE)
_KIND = pattern_cache.compile(r"[a-z]{4,}")
"""A phrase ending in a particle ('the cutoff the controller settled on') names no kind of thing to look for."""
_NAME_WORD = pattern_cache.compile(r"[a-z][a-z0-9_-]{3,}")
_PLAIN = {
    "the",
    "our",
    "from",
    "with",
    "that",
    "this",
    "based",
    "according",
    "described",
    "mentioned",
    "outlined",
    "following",
    "shared",
    "sent",
    "attached",
}


def _inputs_named(section: Section | None) -> str:
    """What the Inputs name, for _named_in_inputs: a section of its own, all of it; Inputs read from the prose
    (every sentence of a spec written without headings, the reference's own among them), only its paths."""
    if section is None:
        return ""
    if not section.inferred:
        return section.body.lower()
    return " ".join(path for line in section.body.lower().splitlines() for path in paths_in(line))


def _named_in_inputs(phrase: str, inputs: str) -> bool:
    """The artifact is there after all: a distinctive word of 'from the onboarding doc' names an input
    (docs/onboarding.md), or its kind is in an input's path ('the current template' beside
    .github/ISSUE_TEMPLATE/bug_report.md)."""
    words = [w for w in _NAME_WORD.findall(phrase.lower()) if w not in _PLAIN and not _DOC_WORD.fullmatch(w)]
    kinds = [w for w in _NAME_WORD.findall(phrase.lower()) if _DOC_WORD.fullmatch(w)]
    return any(word in inputs for word in words) or any(kind in path for path in paths_in(inputs) for kind in kinds)


def _given(phrase: str, context: _Context) -> bool:
    """The spec hands the thing over after all: a line naming the same kind of thing (a document word, the
    phrase's last word or a word of its leading noun phrase: 'ticket', 'version', the 'agreed' of 'the agreed
    sentence') introduces the block pasted after it ('Ticket PAY-412, as filed:', 'Earlier version:') or holds its
    text ('The ticket reads: ...', 'Root cause, agreed wording: "…"'), or points at it over the data pasted after
    it ('Turn these notes into stories' over a code block: 'the notes' later are those)."""
    head = phrase.split()[-1].lower()
    lead = {word.lower() for word in _KIND.findall(_leading_noun_phrase(phrase)) if word.lower() not in _PLAIN}
    kinds = frozenset(
        {word.lower() for word in _DOC_WORD.findall(phrase)} | ({head} if _KIND.fullmatch(head) else set()) | lead
    )
    lines, cache = context.lines, context.given
    if kinds and kinds not in cache:
        named = re.compile(rf"\b(?:{'|'.join(map(re.escape, kinds))})s?\b(?P<rest>.*)", re.IGNORECASE)
        cache[kinds] = any(
            (match := named.search(line.text))
            and (prose.introduces_data(lines, index) or _HOLDS_TEXT.match(match["rest"]))
            for index, line in enumerate(lines)
            if not line.data
        ) or any(context.pointers.at(kind, phrase) for kind in kinds)
    return cache.get(kinds, False)


_CLAUSE_WORD = pattern_cache.compile(
    r"(?:the|a|an|our|their|my|your|his|her|that|which|who|whatever|what|we|they|you|he|she|I|[A-Z]\w*|\w+ed)"
)
"""A word that ends the leading noun phrase of a reference when it comes after its first modifier: a determiner
or pronoun, a name, a past tense ('the matching rule | the clinic adopted', 'the exception | Marcus signed')."""


def _leading_noun_phrase(phrase: str) -> str:
    words = phrase.split()
    end = next((n for n in range(2, len(words)) if _CLAUSE_WORD.fullmatch(words[n])), len(words))
    return " ".join(words[:end])


_HOLDS_TEXT = pattern_cache.compile(r"[^:]*:(?!//)\s*\S|[^.;!?]*" + re.escape(prose.DATA) + "|" + _HERE_IN_PARENS)
"""After the name, a colon and text, a quoted text in the same sentence, or '(pasted below)': the thing itself is
in the spec (a quote in a later sentence is something else: '... the town hall. Say "Talk to HR."'; a URL's
colon introduces no text)."""


def _finding(line: int, quote: str, what: str, severity: Severity = Severity.ERROR) -> Finding:
    return prose.finding(
        "hidden-context",
        line,
        quote,
        f"refers to {what}",
        "put the facts themselves in the spec (paste the text, list the points, or name a file under "
        "Inputs), or remove the reference",
        severity,
    )
