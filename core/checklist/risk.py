"""Risk without a real escalation note.

Work that reaches real people (a reply a client will read, a post on a public channel, a press release, a legal
text) or cannot be undone (a force-push to a shared branch, a production data change, a deletion) needs notes
saying which calls come back to the delegator. "Escalation: None." on such work is not a note: it is the
decision the notes exist to keep. A note is real when it says what comes back or what must not be done: a
hand-back, a condition whose action reports or holds back ('If her wording suggests a safety risk, flag it
instead of replying'), a prohibition ('Promise nothing beyond the facts above'). A condition that settles the
call itself ('If unsure whether to write "per seat" or "per user", use "per user"') is the contractor deciding. Only the prose of the work itself is read (not the Non-goals that forbid it,
not quoted data).
"""

from __future__ import annotations

import itertools
import re

from core import pattern_cache, spec_sections
from core.checklist import prose
from core.checklist.target import Target
from core.spec import Finding, Section, Spec, title

_ACTION = (
    r"(?:goes to|go to|going to|(?:goes|go|going) (?:on|onto) (?:the|our)|delivered to|send|sends|sent|sending|emailed|emailing|mailed|mailing|texting|messaging|e?mail (?:it|them|this|that) to|post|posts|posted|posting|publish|published|"
    r"publishing|announce|announces|announcing|announcement|tweet|broadcast|goes out|go out|going out|notify|"
    r"upload|uploaded|release(?! (?:blog|notes|posts?|changelogs?)\b)|reply|replies|respond|response(?! (?:below|above|shapes?|schemas?|body|bodies|format|codes?|types?|fields?|times?|headers?|payloads?|models?|sizes?|status))|ship|ships|submit|push|pushed|notifies|notifying|"
    r"tell|tells|telling|inform|informs|informing|remind|reminds|reminding)"
)
_AUDIENCE = (
    r"(?:clients?|customers?|users|tenants?|investors|partners|the press|press|newswire|public|subscribers|"
    r"waitlist|everyone|every user|all users|company(?:'s)? (?:\w+ )?account|status page|website|site|"
    r"app store|play store|linkedin|twitter|mastodon|pypi|npm|crates\.io|newsletter|blog(?! posts?\b)|under my name|opposing counsel|the court|"
    r"them|the world|(?:real|external) people|account manager|journalists?|reporters?|media|regulators?|"
    r"authorities|candidates?|applicants?|employees|all staff|vendors?|suppliers?|landlord|donors|"
    r"shareholders|members|patients|students|parents|(?:pricing|landing|home|product|help|support|careers|"
    r"public|status) page|help cent(?:er|re)|docs site|mailing list|(?:beta )?testers|residents|volunteers|"
    r"attendees|guests|participants|neighbou?rs|(?:sub)?contractors|social(?: media)?(?: accounts?| channels?| feeds?)?|freelancers|sellers|buyers|drivers|riders|citizens|"
    r"voters|readers|followers|community|all[- ]staff|all[- ]hands|(?:the )?whole (?:company|org|organi[sz]ation|"
    r"team|department)|(?:[\w-]+ )?(?:distribution|mailing|email|staff|company) list|"
    r"(?:about |around |over |some |~)?\d[\d,]* (?:people|recipients|employees|staff|colleagues))"
)
_PRODUCTION = "a production change"
"""Not when it names what someone runs in production ('the runtimes we run in production'): reading about it."""
_STRONG = (
    (r"\b(?:client|customer|public|user)[- ]facing\b", "client-facing work"),
    (
        r"\bpress release\b|\bnewswire\b|\bembargo(?:ed)?\b|\bterms of service\b|\bterms and conditions\b|\b(?:privacy|refund|cookie|"
        r"returns|cancellation) (?:policy|terms)\b|\blease\b|\blay-?offs?\b|\bcutting \d+% of (?:staff|the team|jobs)\b|"
        r"\bcontract (?:renewal|termination|amendment)s?\b|\b(?:renewal|termination|offer|official) letter\b|"
        r"\bredundanc(?:y|ies)\b|\bcease[- ]and[- ]desist\b|\bletterhead\b|\b(?:data )?breach\b|\blawsuit\b|\blegal action\b|\bsettlement\b|\bgdpr\b|\bterminat\w+ (?:their|the|his|her) (?:lease|contract|employment)\b|"
        r"\b(?:giv|serv)\w* (?:formal |legal |written )?notice\b|\bnotice to (?:quit|vacate)\b|\beviction\b",
        "public, legal or sensitive text",
    ),
    (
        rf"\b{_ACTION}\b[^.;]{{0,80}}?\b(?:as written|verbatim|unedited|without (?:changes|edits|review))\b",
        "text that goes out as written",
    ),
    (
        r"\b(?:sent|posted|published|pushed|goes out|go out|released|shipped|entered|scheduled)\b[^.;]{0,60}?"
        r"\b(?:as soon as|the moment|right after|once) you (?:return|send|give|hand|finish|reply)\b|\b(?:enter|paste|"
        r"publish|post|send|schedule|load|import)\w* exactly (?:what|as) you (?:return|give|write|send|produce)\b",
        "text that goes out as written",
    ),
    (
        r"\b(?:paste|pastes|pasted|pasting|post|posts|posting|put|puts|copy|copies|drop|drops|goes|go|going|loaded|fed|"
        r"feeds|sent|submitted)\b[^.;]{0,60}?\b(?:straight|"
        r"directly|right|as[- ]is) (?:in|into|onto|to)\b[^.;]{0,40}",
        "text that goes out as written",
    ),
    (
        r"\b(?:submit|submits|submitting|file|files|filing|sign|signs|signing|apply|applying|register|registering|"
        r"complete|completing|accept|accepting)\b[^.;]{0,80}?\bon (?:our|my|their|his|her|the client['’]s|the "
        r"company['’]s) behalf\b",
        "acting in someone's name",
    ),
    (
        r"\bforce[- ]push\w*\b|\bpush (?:--force|-f)\b|--force-with-lease\b|\bforce-pushed\b|"
        r"\b(?:rebas|amend|squash|reset)\w*\b[^.;]{0,80}?\bpush\w*\b|\bpush\w*\b[^.;]{0,40}?\b(?:over|overwrit\w*|"
        r"replac\w*)\b[^.;]{0,30}?\b(?:remote|origin|upstream)\b",
        "rewriting shared history",
    ),
    (
        r"\b(?:downgrade|cancel|disable|deactivate|suspend|lock|unsubscribe|charge|bill|reset|expire|delete|remove|"
        r"ban|block|refund)\w*\b"
        r"(?: [\w'’]+){0,3}? (?:every|all|each)(?: of (?:the|our))? (?:[\w-]+ )?(?:customers?|users?|accounts?|"
        r"subscribers?|members?|tenants?|clients?|employees?|students?|patients?)\b",
        "a change to real people's records",
    ),
    (
        r"\b(?:delete|deleting|drop|dropping|purge|purging|truncate|wipe|destroy|erase|reset|"
        r"restore|overwrite|roll back)\b(?! in\b| of\b)"
        r"(?: \S+){0,5}? (?:tables?|databases?|db|data|buckets?|accounts?|rows|records|users|branch(?:es)?|files|"
        r"backups?|history|repos?|repositories|volumes?|indexes|emails|messages)\b",
        "an irreversible deletion",
    ),
    (
        r"\b(?:terraform|tofu|pulumi|cdk|helm|kubectl|gcloud|aws|az)\b[^.;`]{0,20}?\b(?:destroy|delete|uninstall|"
        r"teardown|nuke)\b|\b(?:tear(?:s|ing)? down|destroy(?:s|ing)?) (?:the |an? |this |that |our )?(?:[\w-]+ ){0,2}?"
        r"(?:environments?|envs?|stacks?|clusters?|infrastructure|resources|namespaces?|deployments?)\b",
        "tearing down infrastructure",
    ),
    (
        r"\bpush(?:es|ed|ing)? (?:the |a )?(?:tags?|release|v?\d[\w.]*)\b|\bpublish(?:es|ed|ing)? (?:the |a |it )?"
        r"(?:package|release|crate|gem|image|version)\b|\btag(?:s|ged|ging)? (?:a|the) release\b|\bmerg\w* (?:[\w/.-]+ ){0,3}"
        r"into (?:main|master|production|prod|release)\b|\b(?:push|merg)\w* (?:it |them |this |that |the [\w-]+ )?(?:straight )?(?:to|into|onto) "
        r"(?:main|master|prod|production|live)\b|\b(?:take|takes|taking|put|puts|putting) (?:it|them|this|that|the [\w-]+) live\b",
        "a release others receive",
    ),
    (
        r"\bfor good\b|\birreversibl\w+\b|\birrevocabl\w+\b|\b(?:cannot|can't|can not) be (?:undone|recalled|"
        r"reversed|retracted|taken back|unsent|rolled back)\b|\bpermanently\b",
        "irreversible work",
    ),
    (
        r"\b(?:prod|production)\b(?![- ](?:ready|readiness|grade|quality|like|code))|\b(?-i:PROD|prod)_\w+|"
        r"\b(?:main|primary|master|live) (?:database|db)\b|"
        r"\b(?:in|on|against|to|from|the|our) (?:production|prod|live(?! (?:web|internet|docs?|pages?)\b))\b"
        r"(?: (?:database|db|data|server|cluster|config|environment|system))?|\b(?:update|change|repoint|switch|delete|remove|add)\w* (?:the |our |a |an )?"
        r"(?:dns )?(?:dns|mx|cname|txt|a|aaaa) (?:records?|entries|entry)\b|\bproduction (?:database|db|data|server|cluster|config|deploy\w*|password|"
        r"secrets?|keys?)\b",
        _PRODUCTION,
    ),
    (
        r"\b(?:import|post|book|load)\w* (?:[\w'’]+ ){0,4}?(?:into|to|in) (?:the |our )?(?:general )?ledger\b|"
        r"\bclos(?:e|es|ing) (?:the |our )?(?:period|books|fiscal year|financial year)\b",
        "a change to the books",
    ),
    (
        r"\brotat\w+ (?:the )?(?:\w+ ){0,2}(?:passwords?|keys?|credentials|secrets?|tokens?|certificates?)\b",
        "changing live credentials",
    ),
    (
        r"\b(?:issue|process|give|send) (?:a |the )?refunds?\b|\bcharge (?:the |their )?(?:card|customers?|clients?)\b|"
        r"\bpay(?:ing)? out\b|\btransfer (?:the )?(?:money|funds)\b|\b(?:payment|refund|payout|transfer|wire)s? (?:file|run|batch|"
        r"job)(?:e?s)?\b|"
        r"\b(?:wire|credit|bank)[- ]transfers?\b|\bpayroll run\b",
        "moving money",
    ),
    (
        r"\b(?:cancel|cancels|cancell?ing|terminat(?:e|es|ing)|deactivat(?:e|es|ing)|unsubscrib(?:e|es|ing))\b"
        r"(?: (?:the|their|our|these|those|each|every|all|any|my|its))?(?: [\w'’-]+){0,3}? (?:accounts?|subscriptions?|"
        r"memberships?|orders?|bookings?|reservations?|contracts?)\b|\b(?:accounts?|subscriptions?|memberships?|"
        r"orders?|bookings?|reservations?|contracts?) (?:is|are|gets?|will be|to be|be) (?:cancell?ed|terminated|"
        r"deactivated|closed)\b",
        "cancelling accounts or orders",
    ),
)
_TO_SOMEONE = (
    r"\b(?:letter|email|message|reply|response|notice|notification|announcement|proposal|offer|quote|apology|invoice)\b"
    r"[^.;]{0,40}?\bto (?:(?-i:[A-Z][\w&-]+)|(?:all|every|each|the|our|a|an|their)(?: (?:of )?(?:the |our )?[\d,]+)? "
    rf"(?:[\w-]+ ){{0,2}}?{_AUDIENCE})(?![\w-])"
)
"""A letter to a named party ('the renewal letter to Brightwave', 'the letter to the tenant of Flat 3'): someone
outside will read it. Not a word that goes on ('a response to a public-records request' answers a request)."""
_CONTACTS = (
    r"(?<!many )(?<!of )(?<!the )(?<!their )(?<!our )(?<!no )\b(?:emails|texts|messages|calls|contacts|pings|sms(?:es)?)"
    r" (?:every|all|each|our|the|any)(?: of (?:the|our))? (?:[\w-]+ )?"
    rf"(?:{_AUDIENCE}|user|customer|client|subscriber|member|tenant|employee|candidate|applicant|person)\b"
)
"""A verb with real people as its object ('a script that emails every user'), not a count of messages ('how many
emails each customer received' has a quantifier before it)."""
_TO_MANY = (
    rf"\b{_ACTION}\b[^.;]{{0,40}}?\bto (?:all |every |each )?(?:(?:about|around|over|some|~) )?(?:the |our )?"
    r"\d[\d,]{2,} (?:[a-z-]+ )?[a-z]+s\b"
)
"""An act that reaches a counted crowd, whoever they are ('It goes out to all 12,400 merchants'): a hundred or
more of anything a text goes out to are people no list of audiences names."""
_ON_A_PAGE = (
    r"\b(?:publish|published|publishing|post|posted|posting|pushed|pinned)\b (?:it |this |them )?(?:live )?(?:on|to) "
    r"(?:the |our )(?:[\w-]+ ){0,2}(?:page|site|feed|channel|account|board)s?\b|"
    r"\b(?:send|sends|sent|sending|e?mail|e?mails|e?mailed|text|message|goes out|go out|going out|distributed|"
    r"delivered)\b[^.;]{0,80}?\bto (?:all|every|each)(?: of)?"
    r"(?: (?:the|our|their))?(?: (?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|fifty|hundreds? of|"
    r"dozens? of))? (?:[\w-]+ )?[a-z]+s\b"
)
"""Published on a page of one's own ('published on the results page', 'posted to our team channel') or sent to
everyone on a list ('send the notice to all twelve subcontractors', 'the notice that goes out to all prescribers'):
readers no list of audiences names."""
PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    *((pattern_cache.compile(pattern, re.IGNORECASE), what) for pattern, what in _STRONG),
    (pattern_cache.compile(_TO_SOMEONE, re.IGNORECASE), "a text a named party will read"),
    (pattern_cache.compile(_CONTACTS, re.IGNORECASE), "contacting real people"),
    (
        pattern_cache.compile(
            rf"\b{_ACTION}\b[^.;]{{0,80}}?\b{_AUDIENCE}\b|\b{_AUDIENCE}\b[^.;]{{0,80}}?\b{_ACTION}\b|{_TO_MANY}|{_ON_A_PAGE}",
            re.IGNORECASE,
        ),
        "something sent or shown to real people",
    ),
)
_WORK_SECTIONS = ("goal", "inputs", "output")

_NO_NOTE = pattern_cache.compile(
    r"^\W*(?:none|nothing|no|n/?a|not needed|none needed|not required|not applicable|nil|"
    r"use your (?:own )?judg(?:e)?ment|up to you|your call|as you see fit|whatever you think|"
    r"-|—|tbd)\b",
    re.IGNORECASE,
)
_HELD_UNTIL = pattern_cache.compile(
    r"\b(?:until|before|unless)\b[^.;]*\b(?:reviews?|reviewed|approves?|approved|signs? off|confirms?|checks?)\b",
    re.IGNORECASE,
)
"""A note that opens like a waiver but holds the work back for someone ('nothing is executed from your checklist until
our privacy lead reviews it')."""
_DECISION = pattern_cache.compile(
    r"\b(?:come|comes|coming|go|goes|send|sent|bring|return|hand) (?:it |them |this )?back\b|"
    r"\bask\b|\bstop\b|\bquestions?\b|\bapprov\w*\b|\bconfirm\w*\b|\bcheck with\b|\bdecid\w*\b|"
    r"\bsign[- ]?off\b|\b(?:my|our) (?:call|decision|choice)\b|\bneeds? (?:a |an )?(?:[\w-]+ )?decision\b|\bbefore (?:it|anything|sending|posting|publishing|running|pushing)\b|"
    r"\b(?:do not|don't|never|must not|nothing is|not to be) \w+|\bout of scope\b|\breview\w*\b|"
    r"\b(?:if|unless)\b[^.;]*[,:][^.;]*?(?:\b(?:say|said|state|list|mark|note|flag|leave|put|write|tell|mention|"
    r"report|describe|explain|comment|ask|stop|skip|omit|hold)\w*\b|\binstead\b|\brather than\b)|"
    r"\b(?:promise|say|claim|admit|change|add) nothing\b|\bnothing (?:about|beyond|"
    r"but|except|until|goes|leaves|is (?:sent|posted|published))\b|\bneeds? (?:a )?(?:human|person|me|you)\b|\bflag\w* (?:it|them|this|that|to|for|as)\b",
    re.IGNORECASE,
)


def _context(spec: Spec, line: prose.Line, at: int) -> bool:
    """A line only the inferred Inputs hold is context of a prose spec ('the attachment is the lease itself'),
    not the work: the work is its goal and its output. When the goal too is read from the prose (from its first
    ask), any later sentence that asks is work as well: 'Check the provider's status page ...', then 'Write the
    customer-facing update; it goes out on our status page'."""
    inputs = spec.sections.get("inputs")
    goal = spec.sections.get("goal")
    if inputs is None or not inputs.inferred or (goal and goal.inferred and spec_sections.asks_at(line.text, at)):
        return False
    if _FATE.search(line.text, 0, at):
        return False
    number = line.number
    return not any(
        name in spec.sections
        and spec.sections[name].body_line
        <= number
        < spec.sections[name].body_line + len(spec.sections[name].body.splitlines())
        for name in ("goal", "output")
    )


_FATE = pattern_cache.compile(
    r"(?:^|[.!?;]\s+)(?:the|this|that|your) (?:finished |final )?(?:item|text|post|piece|article|answer|draft|copy|"
    r"reply|message|announcement|notice|update|blurb|summary|release)\b (?:will be|is|gets?|goes)\b[^.;!?]*$|"
    r"(?:^|[.!?;]\s+)(?:we|i|they)(?:['’]ll| will| are going to| plan to)? (?:run|send|post|publish|push|apply|execute|"
    r"deploy|paste|merge|ship)\s+(?:it|this|that|them|the (?:script|query|sql|email|post|note|migration|change|reply|"
    r"text|update))\b[^.;!?]*$",
    re.IGNORECASE,
)
"""A sentence of the context about what happens to the answer ('The update will be posted on the status page as soon
as it arrives', 'We'll run it against the production billing database tonight'): where the work goes, so its act
is the work's."""
_ACTS = frozenset(
    {
        "text that goes out as written",
        "rewriting shared history",
        "a release others receive",
        "contacting real people",
        "something sent or shown to real people",
    }
)
"""Risks that lie in an act: a web-research run reads pages and reports, so it can send, post or push nothing
('the npm page ... last publish date' is something it reads about). What its answer is (a press release, terms of
service) stays a risk."""


_ANSWER_GOES = pattern_cache.compile(
    r"(?:\b(?:your|the) (?:answer|output|reply|response|result|table|text|copy)\b[^.;]{0,30}?|[;:,—–]\s*(?:it|this)\s+)"
    r"\b(?:is|are|will be|gets?|goes)\b[^.;]*$",
    re.IGNORECASE,
)
"""Before the act, the answer is what goes out ('Your answer is published as-is to the public comparison page', or
'it' after the ask: 'Write the incident update; it goes out on our status page'): a web run's own reply, not a page
it reads about."""


def check(spec: Spec, target: Target = Target.STATELESS) -> list[Finding]:
    hits = [
        hit
        for hit in _hits(spec)
        if not (target is Target.WEB and hit[2] in _ACTS and not _ANSWER_GOES.search(hit[0].text, 0, hit[1].end()))
    ]
    if not hits:
        return []
    line, match, what = hits[0]
    also = "".join(f", '{other.group(0)}'" for _, other, _ in hits[1 : 1 + _ALSO])
    risky = f"'{match.group(0)}'{also}"
    escalation = spec.sections.get("escalation")
    note = prose.text_of(escalation).strip() if escalation else ""
    fix = (
        "add an Escalation section saying which decisions must come back to you (e.g. 'any promise of a date "
        "comes back to me as a question'; 'stop before pushing')"
    )
    if not note and (stated := _note_in_prose(spec)):
        note = stated
    if not note and (waived := _waiver(spec)):
        waiver, at = waived
        return [
            prose.finding(
                "missing-escalation", at, waiver, f"is not an escalation note, and the work is {what} ({risky})", fix
            )
        ]
    if not note:
        message = f"is {what}, but there are no escalation notes" + (f" (nor for {also[2:]})" if also else "")
        return [prose.finding("missing-escalation", line.number, match.group(0), message, fix)]
    if (_NO_NOTE.match(note) and not _HELD_UNTIL.search(note)) or not _DECISION.search(note):
        first = note.splitlines()[0]
        return [
            prose.finding(
                "missing-escalation",
                escalation.line if escalation else line.number,
                first,
                f"is not an escalation note, and the work is {what} ({risky})",
                fix,
            )
        ]
    return []


_FORBIDDEN = pattern_cache.compile(
    r"^\W*(?:(?:and|but|so|please|also)\s+)*(?:don['’]t|do not|never|must not|mustn['’]t|should not|shouldn['’]t|no need to|not to)\b",
    re.IGNORECASE,
)


def _clause_before(text: str, at: int) -> str:
    """The clause a match is in, up to it: from the last sentence end, semicolon or dash before it, and from the
    last comma, 'just', 'but', 'instead' or 'rather' unless the words after that comma go on listing ('Don't
    email, call or message the customers'). A clause that opens with a prohibition rules its act out; one inside
    it ('users who never verified') does not, nor does one that rules out another act before it ('Don't ask me
    first, just issue the refunds')."""
    start = max(text.rfind(mark, 0, at) for mark in (". ", "; ", " — ", "? ", "! "))
    sentence = max(text.rfind(mark, 0, at) for mark in (". ", "? ", "! "))
    if start > sentence and _FORBIDDEN.match(text[sentence + 1 : start]):
        return text[sentence + 1 : at]  # 'Don't modify parties.csv — it is the live conflicts list': why, not an act
    clause = text[start + 1 : at]
    turns = list(_TURN.finditer(clause))
    if not turns or (turns[-1].group(0) == ", " and _LISTING.match(clause, turns[-1].end())):
        return clause
    return clause[turns[-1].end() :]


_TURN = pattern_cache.compile(r", |\b(?:just|but|instead|rather)\b", re.IGNORECASE)
"""Where a sentence turns from the act it rules out to the one it asks for."""
_LISTING = pattern_cache.compile(r"(?:[\w-]+\s+){0,2}?(?:or|nor)\s", re.IGNORECASE)


_LET_OUT = r"(?:commit|push|merge|deploy|send|post|publish|release|ship|submit|schedule)"
"""The acts that let finished work out; held back with no object of their own ('do not commit or push;'), the
work is kept in. 'Don't merge payments to the same vendor' is about the work's content."""
_PROSE_NOTE = pattern_cache.compile(
    r"\b(?:if|unless|when)\b[^.;]{3,}?[,;:]\s*(?:\w+\s+){0,3}?(?:stop|ask|flag|escalat\w*|don['’]t|do not|"
    r"(?:put|add|write) (?:a |one )?(?:line|note)|"
    r"return (?:a |only )?(?:single |one )?line|report|tell|check with|leave|say so)\b[^.]*|"
    r"\b(?:a human|someone|a person|a reviewer|an editor|(?-i:[A-Z][a-z]+)(?= (?:reviews|approves|checks|signs|edits)\b)|"
    r"(?:an?|our|the|my) (?:\w+ )?(?:team|lead|editor|manager|agent|"
    r"partner|colleague|supervisor|reporter|writer|lawyer|counsel|officer|coordinator|director|owner|analyst))\b"
    r"[^.;]{0,30}?\b(?:reviews?|approves?|checks?|signs? off|edits?)\b[^.;]*|\bdrafts?, not (?:a |the )?(?:final|"
    r"sent)\b[^.;]*|\bfor (?:review|approval|sign-?off) by\b[^.;]*|\bnot to be (?:sent|posted|published|"
    r"released|shared)\b[^.;]*|\b(?:is|are|stays?|remains?) (?:my|our) (?:call|decision|choice)\b[^.]*|"
    r"\b(?:a |the )?draft for (?:me|us|my review|review)\b[^.]*|\b(?:I|we)(?:['’]ll| will) decide\b[^.]*|"
    r"\b(?:anything|whatever|any [\w-]+) (?:that )?needs? (?:a |an |my |our )?(?:[\w-]+ )?(?:decision|sign-?off|"
    r"approval)\b[^.]*|"
    rf"\b(?:do not|don['’]t|never) {_LET_OUT}(?: (?:or|and|nor) {_LET_OUT})*(?: (?:it|them|this|that|anything))?"
    r"(?:\s*[;,.:—–]|\s*$|\s+(?:yet|until|before)\b)[^.]*",
    re.IGNORECASE,
)
"""With no Escalation section, a note stated in the prose of the work: a condition whose action hands the call
back ('If anything contradicts eligibility, don't draft a reply; instead return a single line starting
ESCALATE:', 'if you think a restart is needed, say so under NEXT CHECKS'), a person who reviews before it goes out ('A human agent reviews and sends it, so this is a
draft', 'A partner will edit it before it goes to the client', 'for approval by the head of legal', 'not to
be sent by you'), a call the writer keeps ('Index creation on a
40M-row prod table is my call', 'Mark anything that needs a product-manager decision'), or the act that would let the work out held back ('do not commit or push; leave
it in the working tree'). Such a note is checked like an Escalation section's."""


_WAIVER = pattern_cache.compile(
    r"\bescalat\w*\s*(?::\s*|is |isn['’]t |is not )?(?:n/?a|none|not needed|not required|unnecessary|nothing)\b|"
    r"\bno (?:need (?:to|for) )?escalat\w*(?: (?:needed|required))?\b|"
    r"\bnothing (?:else |more )?to (?:flag|escalate|raise|check)(?: here)?\b|"
    r"\bno (?:sign-?off|approval|review)\b[^.;]{0,40}?\b(?:required|needed|necessary)\b|"
    r"\b(?:sign-?off|approval|review)(?: (?:or|and|/) (?:sign-?off|approval|review))?\s*(?::\s*|is |isn['’]t |is not )"
    r"(?:not )?(?:needed|required|necessary|unnecessary|n/?a|none)\b",
    re.IGNORECASE,
)
"""In the prose, escalation waived ('so escalation: n/a', 'no need to escalate', 'Nothing else to flag here', 'No
sign-off from anyone else required'): the writer says there is no note, which on risky work is the decision a
note exists to keep."""


def _waiver(spec: Spec) -> tuple[str, int] | None:
    for line in prose.lines(Section("spec", 1, spec.text, 1)):
        if not line.data and (match := _WAIVER.search(line.text)):
            return match.group(0), line.number
    return None


def _note_in_prose(spec: Spec) -> str:
    for name in _WORK_SECTIONS + ("non-goals", "verification"):
        for line in prose.lines(spec.sections.get(name)):
            if not line.data and (match := _PROSE_NOTE.search(line.text)) and _DECISION.search(match.group(0)):
                return match.group(0)
    return ""


_THEIR_OWN = pattern_cache.compile(
    r"\b(?:asks?|asked|asking|wants?|wanted|requests?|requested|requesting|tries|tried|trying|chooses?|decides?) to\s+$",
    re.IGNORECASE,
)
"""Right before the act, someone else's wish to do it themselves ('account_deletion wins when a user asks to
delete their account'): a case the material holds, not work the contractor does. 'asked us to email all
customers' hands the act over, so an object between wish and act keeps it."""
_ALSO = 2
"""Besides the first risky phrase, how many more a finding names: the notes must cover each ('publish version',
'upload to PyPI')."""


def _hits(spec: Spec) -> list[tuple[prose.Line, re.Match[str], str]]:
    """The risky phrases of the work (its title, which names the task, and its sections), the strongest kind
    first, one per stretch of text."""
    hits: list[tuple[prose.Line, re.Match[str], str]] = []
    named = prose.lines(title(spec.text))
    for pattern, what in PATTERNS:
        in_title = ((line, match) for line in named for match in pattern.finditer(line.text))
        for line, match in itertools.chain(in_title, prose.search(pattern, spec, _WORK_SECTIONS)):
            if what == _PRODUCTION and prose.runs_there(line.text[: match.start()]):
                continue
            if _FORBIDDEN.match(_clause_before(line.text, match.start())):
                continue  # 'Don't reply to the customers, just label': the act is ruled out, not asked for
            if _THEIR_OWN.search(line.text, max(0, match.start() - 30), match.start()):
                continue  # 'when a user asks to delete their account': the act is someone's request, a case
            if (line in named or not _context(spec, line, match.start())) and not any(
                line.number == other.number
                and (match.start() < end.end() and end.start() < match.end() or match.group(0) == end.group(0))
                for other, end, _ in hits
            ):  # one phrase once: a line the goal and the inferred Inputs share is read as the text of each
                hits.append((line, match, what))
    return hits
