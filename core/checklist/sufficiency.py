"""Input sufficiency: the Inputs section must hand over the material, not name it.

A stateless model (an HTTP chat model, the local one) sees the spec and the files dispatch sends with it, nothing
else: its Inputs must hold the thing itself (pasted text, a code block, a data list) or a path under --cwd, which
dispatch reads and sends. A web run may also be given URLs. An agent works in a repository, so it may be pointed
at modules and directories there, by path. "The attached spreadsheet", "the profiler output", "the auth service"
name something the contractor cannot open; so does a citation ('Liang et al. (2023)'). An agent's Inputs that
name no path at all leave it to guess which files were meant.
"""

from __future__ import annotations

import re
from pathlib import Path

from core import pattern_cache
from core.checklist import prose
from core.checklist.target import Target
from core.spec import Finding, Section, Spec, made_paths, path_exists, paths_in, unlabelled
from core.spec_sections import ANY_HEADING

_THING = (
    r"(?:spreadsheets?|sheets?|screenshots?|images?|photos?|pictures?|mockups?|designs?|figma(?: file)?|"
    r"wireframes?|files?|documents?|docs?|pdfs?|recordings?|videos?|audio|transcripts?|tickets?|issues?|"
    r"logs?|output|exports?|dumps?|tables?|database|db|warehouse|schemas?|modules?|packages?|services?|"
    r"layers?|components?|library|codebase|repo(?:sitory)?|functions?|class(?:es)?|scripts?|code|pages?|"
    r"site|website|email|emails|thread|conversation|chat|data|dataset|results|responses|failures|reports?|"
    r"notes|numbers|figures|stats|statistics|metrics|kpis|folder|drive|bucket|dashboard|notebook|slides|deck|agreement|contract|PR|pull request|"
    r"attachment|survey|interview|feedback|backlog|board pack|endpoint|api|config(?:uration)?|extracts?|redlines?|"
    r"[\w-]+\.[a-z][a-z0-9]{1,4})"
)
_OWNED_THING = rf"(?:{_THING}|versions?|descriptions?|readings|implementations?|definitions?)"
"""Words that name material only with a determiner: "Parcelino's OpenAPI description", 'the rate limiter
implementation' (but 'Python version 3.11' is a constraint)."""
_VERB = (
    r"(?:receives?|sends?|reads?|writes?|uses|has|have|gets|takes|returns|calls|shows|contains|holds|needs|includes|"
    r"stores|loads|produces|generates|creates|accepts|rejects|expects|handles|processes|parses|emits|prints|lists)"
)
_FILLER = rf"(?!(?:in|of|for|from|on|with|to|at|by|and|or|that|which|is|are|was|were|{_VERB})\s)"
"""A word inside the noun phrase: 'the timezone bug in reports' names a bug, not the reports, and a verb ends it:
'Our CRM import receives phone numbers typed by humans' names no numbers."""
_OWNER = r"\b(?!(?:it|that|there|here|what|who|where|he|she|let)['’]s\b)[\w.-]+(?:['’]s\b|s['’](?!\w))"
"""A possessive is a determiner too: "web-03's error log" and "Northgate Logistics' version" are as definite as
'the error log' (a contraction is not one: "unless it's the file named `current.log`")."""
_NAMED = pattern_cache.compile(
    rf"(?:\b(?:the|our|my|your|their|its|his|her|this|that|a sample of|some of the|see the|see)|{_OWNER})\s+"
    rf"(?:{_FILLER}[\w'’\"“”/.-]*[\w'’\"“”/-]\s+){{0,4}}?{_OWNED_THING}\b",
    re.IGNORECASE,
)
"""A definite mention of a thing: 'the profiler output', 'our logging module', 'the Figma file for X'; within one
sentence ('read the date there. endoflife.date may help' names no file)."""
_BARE = pattern_cache.compile(
    rf"^\W*(?:(?:the|our|my|your|their|its|this|that|these|those|all (?:the|our)|both|each|some|a sample of|"
    rf"attached|see|{_OWNER})\s+)(?P<name>(?:(?!{_VERB}\s)[\w'’/.#-]+\s+){{0,10}}[\w'’/.#-]+"
    rf"(?:,\s+(?:the|its|their|our|a|an) (?:[\w'’/.#-]+\s+){{0,10}}[\w'’/.#-]+)?)\W*$",
    re.IGNORECASE,
)
"""A line that is only a noun phrase ('The paper.', 'Attached dataset', 'the diff of the last release'), perhaps
with an apposition ("Fenwick's redline, the tracked-changes version they returned"): a name."""
_HERE = r"(?!this\b|the (?:pasted|quoted|included)\b|the following|the goal|the spec|below|here|[\d$€£~<>=]|(?:columns?|rows?|cells?) |(?-i:[A-Z]{1,3}\d+\b))"
_MEASURE = (
    r"(?!(?:utc|gmt|z|local time|(?-i:[A-Z][a-z]+/[A-Z][A-Za-z_]+)|(?:cest|cet|bst|est|edt|cst|cdt|pst|pdt|ist|jst|aest)\b|usd|eur|gbp|"
    r"jpy|chf|dollars|euros|pounds|pence|cents|(?:milli|micro|nano)?seconds|ms|minutes|hours|days|weeks|months|"
    r"years|bytes|[kmgt]i?b|percent|kg|grams|(?:kilo|centi|milli)?met(?:er|re)s|miles|celsius|fahrenheit|"
    r"pixels|px|english|spanish|french|german|italian|portuguese|dutch|japanese|chinese|korean|json|csv|yaml|"
    r"markdown|iso[- ]?8601|lower ?case|upper ?case|(?:the same |\w+ing |this )?(?:order|format)|plain text)\b)"
)
"""What values are measured or written in ('Months are in UTC', 'amounts are in cents', 'rows are in date order'),
not where they are."""
_STATE = (
    r"(?!(?:the )?(?:future|past)\b|[\w-]+ mode\b|(?:progress|use|effect|force|place|sync|stock|charge|scope|"
    r"draft|review|beta|preview|flight|transit)\b)"
)
"""A state, not a place: 'if the date is in the future', 'when the system is in dark mode', 'rows in progress'."""
_PLACE = r"(?:(?:the|our|their|a|an) )?[^\s.,;:]+"
_LOCATED = pattern_cache.compile(
    rf"(?:\b(?:is|are|lives?|sits?|stored|kept|available|can be found|found)|(?<!\bwhat)(?<!\bwhatever)['’](?:re|s)) (?:in|on|at|under) {_HERE}{_MEASURE}"
    rf"{_STATE}"
    rf"{_PLACE}|"
    rf"\b(?:exported|pulled|downloaded|extracted|fetched|copied|taken) (?:\w+ )?from {_HERE}(?![^:]*:\s*$){_PLACE}",
    re.IGNORECASE,
)
"""Where the thing is instead of the thing: 'the data is in the warehouse', 'numbers are in Looker', 'as exported
from the building management system' (not a sheet's layout: 'prices are in column C'; not a caption of rows that
follow: 'Rows exported from the CRM:'; not the contents of something: "using only what's in their profile")."""
_ELSEWHERE = pattern_cache.compile(
    r"\bask (?:\w+ ){0,2}(?:for|if|about)\b|\b(?:see |(?:is|are) )?attached\b|"
    r"\b(?:from|in|on|at) (?:the )?(?:prod|production|staging|the server|"
    r"the cluster|s3|gcs|the bucket|jira|confluence|notion|google (?:drive|docs?|sheets?)|the drive|the shared drive|"
    r"slack|looker|tableau|grafana|datadog|sentry|github|gitlab|dropbox|sharepoint|figma|salesforce|hubspot|zendesk|"
    r"the crm|the wiki|the intranet)\b|\b(?:s3|gs|gcs|az|hdfs|ftp|sftp|smb|file)://\S*|"
    r"\b[\w ()-]*[\w)]\.(?:xlsx?|docx?|pptx?|pdf|png|jpe?g|gif|key|numbers|pages|mp4|mov|mp3|wav|zip|psd|fig|sketch)\b|\bgoogle (?:docs?|sheets?|drive)\b|\b(?:notion|confluence|jira|figma) "
    r"(?:page|doc|ticket|file|board)\b",
    re.IGNORECASE,
)
"""A system it lives in, a person to get it from, an attachment (nothing is attached to a spec), or a file that is
not text: the contractor can use none of them."""
_SHOWN_HERE = pattern_cache.compile(
    r"\b(?:(?:is|are) (?:pasted|quoted|included|given|copied)|(?:pasted|quoted|included|given) (?:below|above|here)|"
    r"pasted (?:in |over )?from)\b",
    re.IGNORECASE,
)
"""Where it came from, with the thing itself handed over: 'exported from Stripe, pasted below', '(pasted from
Notion)'."""
_POINTS_HERE = pattern_cache.compile(r"\b(?:below|above|pasted|quoted|as follows)\b", re.IGNORECASE)
"""A line that points at the data the section holds ('The table below.', 'The job description, pasted below')
names what it hands over."""
_SUBJECT_WORDS = 6
_NONE = pattern_cache.compile(
    r"^\W*(?:none|nothing|n/?a|no inputs?)\b|\b(?:self-contained|in this spec|the goal is the whole|"
    r"in the goal|whole input|whole brief|everything needed is)\b",
    re.IGNORECASE,
)
_URL = pattern_cache.compile(r"\bhttps?://\S+")
_DATA_ON_LINE = pattern_cache.compile(
    r":\s*\S.*\S|\w\([\w ,]+\)|(?:(?<![\w.,#])\d[\d.,%]*\w*\W+.*){2,}|"
    r"(?:\s*(?:[^\s,;]+\s+){0,5}[^\s,;]+\s*[,;]){2,}\s*(?:(?:and|or)\s+)?(?:[^\s,;]+\s+){0,5}[^\s,;]+",
    re.IGNORECASE,
)
"""Data on the line itself: 'Schema: users(...)', 'table t(id, name)', two or more figures ('OpenAPI 3.1' is one,
and '#88213' is an identifier), a list of three."""
_DESCRIPTION = pattern_cache.compile(
    r"\s\((?:[^()\d]*|[^()\d]*\d[\d,.]*\s*k?\s*(?:rows?|records?|lines?|pages?|entries|items|files?|[KMG]B|"
    r"minutes?|mins?|hours?|slides?|columns?|sheets?|tabs?|messages?|emails?|comments?|answers?|responses?)\b"
    r"(?:[^()\d]*|,\s*(?-i:[A-Z][a-z]{2})\w*\.? \d{1,2}(?:\s*[–-]\s*\d{1,2})?))\)",
    re.IGNORECASE,
)
"""A parenthesis without figures after a name, or with only its size (and its dates), describes the thing ('the
spend sheet (vendor, date, amount)', '(about 3,100 rows: booking date, carrier)', '(14 messages, Oct 2–19)'): its
size and columns are not its rows."""
_LAYOUT = pattern_cache.compile(
    r"(?:\s[—–-]\s*|[,(]\s*|\s)(?:it|they|which|that|each row|every row) (?:has|have|contains?|holds?|lists?|"
    r"includes?|gives?)\s[^.;]*|\bwith (?:the )?(?:columns?|fields?|headers?)\b[^.;]*",
    re.IGNORECASE,
)
"""A clause that says what a thing has ('the spreadsheet from ops — it has SKU, product name, units sold in the
last 90 days and units on hand', 'the export with columns id, email, plan'): its columns, not its rows. Two figures
or more in it are rows after all ('it has apples 3.10, pears 2.20')."""
_SIZE = pattern_cache.compile(
    r"~?(?<![\w.,#])\d[\d,.]*\s*k?\s+(?:rows?|records?|responses?|comments?|answers?|entries|messages?|emails?|"
    r"tickets?|participants?|respondents?|interviews?)\b|"
    r"(?<![\w.,#-])\d{1,3}(?:[.,]\d+)?\s*[–-]\s*\d{1,3}(?:[.,]\d+)?(?!\w|[.,]\d|-)",
    re.IGNORECASE,
)
"""How much there is ('We have ~600 responses') and the range its values take ('the scores are 0–10'): what the
material is like, not rows of it (a date, '2026-01', is no range)."""
_FIGURE = pattern_cache.compile(r"(?<![\w.,#])\d")


def _layout(match: re.Match[str]) -> str:
    return " " if len(_FIGURE.findall(match.group(0))) < 2 else match.group(0)


_TITLE = pattern_cache.compile(
    rf"\b{_THING}\s+(?:called |named |titled )?[\"“][^\"”\n]*[\"”]|"
    r"[\"“][^\"”\n]*[\"”]\s+(?:column|field|header|question|tab|section|button|label)s?\b",
    re.IGNORECASE,
)
"""A quote right after a thing is its title ('the dashboard "API p99 by endpoint"'), and one right before the
part of a thing it names ('the free-text "why did you give this score?" column'): not its content."""

FIX = {
    Target.STATELESS: "paste it into the spec (text, a code block or a data list) or give its path under --cwd, "
    "which dispatch sends with the spec",
    Target.WEB: "paste it, give its path under --cwd, or give the URL to read",
    Target.AGENT: "give its path in the repository (a file or directory under --cwd)",
}


def check(spec: Spec, target: Target, cwd: Path | None) -> list[Finding]:
    section = spec.sections.get("inputs")
    if section is None:
        return []
    findings: list[Finding] = []
    lines = prose.lines(section)
    in_list = sum(bool(_ITEM.match(line.raw)) for line in lines) >= 2
    citations_are_data = bool(_ON_CITATIONS.search(prose.text_of(spec.sections.get("goal"))))
    handed = False
    pointers = prose.Pointers(lines)
    made = made_paths(spec)
    for index, line in enumerate(lines):
        text = line.text
        for path in made:
            text = text.replace(path, " ")
        if line.data or _NONE.search(text):
            handed = True
            continue
        if not text.strip() or ANY_HEADING.match(line.raw):
            continue  # a heading the sections do not know ('## Contract') names the part of the spec that follows
        if (
            not citations_are_data
            and target is not Target.WEB
            and (cited := _CITED.search(text))
            and not _DATA_BESIDE.search(_CITED_TITLE.sub(" ", line.raw))
            and not prose.introduces_data(lines, index)
        ):
            findings.append(
                prose.finding(
                    "input-not-given",
                    line.number,
                    cited.group(0),
                    f"cites a document instead of giving it: the {target.noun} cannot look it up",
                    FIX[target],
                )
            )
            continue
        if (
            (located := _located(text, target, section.inferred) or _elsewhere(text, section.inferred))
            and not prose.runs_there(text[: located.start()])
            and not (prose.introduces_data(lines, index) or _SHOWN_HERE.search(text))
            and not _in_a_template(located.group(0), line.raw)
            and not _GRID.search(line.raw)
            and not (target is Target.WEB and _DOMAIN.match(text, located.end() - len(located.group(0).split()[-1])))
            and not (target is Target.AGENT and _opened_here(located.group(0), line.raw, cwd))
            and not (target is Target.AGENT and _IN_A_SYSTEM.match(located.group(0)) and _paths_here(line.raw, cwd))
        ):
            findings.append(
                prose.finding(
                    "input-not-given",
                    line.number,
                    located.group(0),
                    f"says where it is instead of giving it: the {target.noun} cannot go there",
                    FIX[target],
                )
            )
            continue
        handed = handed or bool(paths_in(_URL.sub(" ", line.raw)))
        point = _points_here(text, section)
        pointer = _POINTS_HERE.search(text) if section.inferred else None
        later = pointer and (_against(text[pointer.end() :]) or _matched_with(text[: pointer.start()]))
        if later or point or _given(unlabelled(text), unlabelled(line.raw), target, cwd):
            handed = True
            if not later:
                continue
            findings.append(
                prose.finding(
                    "input-not-given",
                    line.number,
                    later.group(0).strip().rstrip(".,;:!"),
                    f"is named but not given: the {target.noun} cannot see it",
                    FIX[target],
                )
            )
            continue
        if target is Target.STATELESS and (url := _URL.search(text)):
            findings.append(
                prose.finding(
                    "input-not-given",
                    line.number,
                    url.group(0),
                    "is a URL, and this model cannot open it",
                    "paste the page's content, or dispatch with --mode web",
                )
            )
            continue
        item = _unbulleted(text)
        # In a data list any item may start with a thing ('Export to CSV times out'); one that describes its
        # contents in parentheses ('Supplier spec sheet (capacity, wattage per SKU)') names a thing not given.
        listed = in_list and _ITEM.match(line.raw) and not _DESCRIPTION.search(item)
        head = None if listed or section.inferred else _HEAD.match(item)
        named = _worked_on(item) if section.inferred else _BARE.match(item) or _subject(item)
        if (
            (match := named or head)
            and not (handed and _THE_GIVEN.fullmatch(match.group(0).strip()))
            and not pointers.at(match.group(0).split()[-1].lower())
            and not (listed and _PROPER_NAME.search(match.group(0)))
            and not (_ITS_COLUMNS.match(item, match.end()) and _COLUMNS_GIVEN.search(section.body))
            and not (target is Target.WEB and (_DOMAIN.search(text) or _researched(match.group(0), spec)))
            and not (target is Target.AGENT and _WORKPLACE.fullmatch(match.group(0).strip().rstrip(".,;:!")))
            and not (target is Target.AGENT and _THAT_FILE.fullmatch(match.group(0).strip()) and _in_repo(spec, cwd))
        ):
            findings.append(
                prose.finding(
                    "input-not-given",
                    line.number,
                    match.group(0).strip().rstrip(".,;:!"),
                    f"is named but not given: the {target.noun} cannot see it",
                    FIX[target],
                )
            )
    if target is Target.AGENT and not findings and not handed:
        findings += _no_path(lines)
    elif target is not Target.AGENT and not handed:
        findings += _owned(spec, target)
    return findings


_PROPER_NAME = pattern_cache.compile(r"\b[A-Z][\w'’-]*\s+[A-Z][\w'’-]*$")
"""In a data list, a thing word that ends a capitalised name ('the Sunken Library', 'the Iron Archive') names a
place or a character of what the list is about (a game, a story), not material to hand over."""
_ITS_COLUMNS = pattern_cache.compile(r"\s+(?:columns?|fields?|headers?|column names|field names)\b", re.IGNORECASE)
_COLUMNS_GIVEN = pattern_cache.compile(
    r"^\W*(?:[\w-]+\s+){0,2}(?:columns?|fields?|headers?)\s*:\s*\S+(?:\s*,\s*\S+){2,}", re.IGNORECASE | re.MULTILINE
)
"""Work on a thing's columns ('map our legacy CRM export columns to ...') needs its columns, not its rows: a line
that lists them ('Legacy columns: `id, name, mail`') hands the material over."""


def _located(text: str, target: Target, prose_only: bool = False) -> re.Match[str] | None:
    """Where the thing is instead of the thing. After a bare 'is in' or 'are in' the subject must be material ('the
    data is in the warehouse'): a state or a setting ('if the date is in the future', 'when the app is in dark
    mode', 'times are in UTC') says nothing about where material is, and such statements were 5 of the good
    specs refused on first contact. For an agent, the repository is where it works: 'the script is in the repo'
    puts the material where it can open it. In prose (Inputs read from every sentence) any such statement needs
    material before it: 'Dana lives in Lisbon' is a fact about a person."""
    for match in _LOCATED.finditer(text):
        if target is Target.AGENT and _THE_REPO.search(match.group(0)):
            continue
        if not (prose_only or _BARE_IS.match(match.group(0))) or _THING_WORD.search(
            text, max(0, match.start() - _SUBJECT_SPAN), match.start()
        ):
            return match
    return None


_TEMPLATE = pattern_cache.compile(r"`([^`\n]*\s[^`\n]*)`")
_GRID = pattern_cache.compile(
    r"\b(?:columns?|col\.?|cells?)\s+(?-i:[A-Z]{1,3}\d*)\s*(?:=|:|[—–]|is\b|are\b|holds?\b|has\b|contains?\b)",
    re.IGNORECASE,
)
"""A line that lays the sheet out ('in the budget workbook, column C = cost centre, D = amount'): a formula or a
script for it works on that layout, which the line hands over, so the place it names is no material withheld."""


def _in_a_template(place: str, raw: str) -> bool:
    """The place is inside a backticked span of several words: a line the output prints or a command
    (`WOULD DELETE s3://bucket/key (age_days)`), not where the material is."""
    return any(place.strip() in span for span in _TEMPLATE.findall(raw))


def _opened_here(place: str, raw: str, cwd: Path | None) -> bool:
    """A file that is not text, named by a path that exists under --cwd (`billing/fixtures/invoice_3page.pdf`):
    an agent opens it there."""
    name = place.strip()
    return cwd is not None and any(path.endswith(name) and _exists(cwd, path) for path in paths_in(_URL.sub(" ", raw)))


def _paths_here(raw: str, cwd: Path | None) -> bool:
    """The line gives the agent a path that exists under --cwd: a system it names beside it ('The API pods in
    staging are OOM-killed. Staging manifests are in `deploy/k8s/staging/api.yaml`') is what the files are for, and
    the material is the files."""
    return cwd is not None and any(_exists(cwd, path) for path in paths_in(_URL.sub(" ", raw)))


def _elsewhere(text: str, prose_only: bool) -> re.Match[str] | None:
    """A system, a person, an attachment or a file that is not text. In a spec written as prose, whose Inputs are
    read from all its sentences, a system named after a preposition ('in Looker', 'from production') counts when
    material comes before it ('the numbers in Looker'): 'the storage cost on S3' is what the task is about, not
    where its material is. Under an Inputs heading, every line is about the material."""
    for match in _ELSEWHERE.finditer(text):
        if _WHOM_TO_ASK.search(text, 0, match.start()):
            continue
        if not (prose_only and _IN_A_SYSTEM.match(match.group(0))) or _THING_WORD.search(
            text, max(0, match.start() - _SUBJECT_SPAN), match.start()
        ):
            return match
    return None


_WHOM_TO_ASK = pattern_cache.compile(
    r"\b(?:who|whom|where|when|how|what) (?:do|does|should|can|could|would|will|shall) (?:i|we|they|you|he|she) $",
    re.IGNORECASE,
)
"""A question about whom to ask ('Who should we ask about the fire drill?') is the material itself, a question
to sort or answer, not a person who holds what the work needs."""
_IN_A_SYSTEM = pattern_cache.compile(r"(?:from|in|on|at)\s", re.IGNORECASE)
_THE_REPO = pattern_cache.compile(
    r"\b(?:in|under|at) (?:the |this |our )?(?:repo|repository|codebase|working (?:dir|directory)|checkout)\b",
    re.IGNORECASE,
)
_THAT_FILE = pattern_cache.compile(
    r"(?:the|that|this) (?:existing |same )?(?:file|module|script|class|function|code|test file)", re.IGNORECASE
)
"""'that file', 'the existing module': for an agent, the file the spec names by its path elsewhere."""


def _in_repo(spec: Spec, cwd: Path | None) -> bool:
    """The spec names a path that exists under the agent's working directory."""
    return cwd is not None and any(path_exists(cwd, path) for path in paths_in(spec.text)[:50])


_WORKPLACE = pattern_cache.compile(
    r"(?:the|this|our) (?:[\w.-]+ )?(?:repo|repository|codebase|checkout|working (?:tree|copy|dir|directory))",
    re.IGNORECASE,
)
"""For an agent, 'this repo' or 'the ops-scripts repo' is where it works ('There are no C# tests in this repo'): it
is there, not named."""
_BARE_IS = pattern_cache.compile(r"(?:is|are|['’]re|['’]s)\s", re.IGNORECASE)
_THING_WORD = pattern_cache.compile(rf"\b{_THING}\b", re.IGNORECASE)
_SUBJECT_SPAN = 50
"""How far before 'is in' the subject is looked for: a few words, within the clause."""


def _against(rest: str) -> re.Match[str] | None:
    """After what the line hands over, a thing it is to be matched or compared against ('the ledger entries below
    against the November bank statement PDF'): a second material, which the line does not hand over."""
    return next((match for match in _NAMED.finditer(rest) if _COMPARED.search(rest[: match.start()])), None)


def _matched_with(before: str) -> re.Match[str] | None:
    """Before what the line hands over, a thing matched or compared with it ('match each line of the November
    bank export against the ledger lines pasted below'): the other side, which the line does not hand over."""
    return next(
        (
            match
            for match in _NAMED.finditer(before)
            if _WITH.match(before, match.end()) and _MATCHING.search(before, 0, match.start())
        ),
        None,
    )


_WITH = pattern_cache.compile(r"\s+(?:against|versus|vs\.?|with|to)\s", re.IGNORECASE)
_MATCHING = pattern_cache.compile(
    r"\b(?:match|matches|matching|compare|comparing|reconcile|reconciling|check|cross-check|diff|tie out)\b",
    re.IGNORECASE,
)
_COMPARED = pattern_cache.compile(
    r"\b(?:against|versus|vs\.?|check(?:ed)? with|compare(?:d)? (?:it |them )?(?:with|to))\s+$", re.IGNORECASE
)


def _points_here(text: str, section: Section) -> re.Match[str] | None:
    """Where the line points at the data the section holds ('the ledger entries below')."""
    point = _POINTS_HERE.search(text)
    return point if point and prose.has_data(section) else None


def _owned(spec: Spec, target: Target) -> list[Finding]:
    """What the Goal calls someone's own ('our `RateLimiter` class', "Maria's notes") lives with them: when the
    Inputs hand over nothing (no text, code, data or file), a stateless model or a web run has never seen it."""
    return [
        prose.finding(
            "input-not-given",
            line.number,
            match.group(0),
            f"is someone's own, and the Inputs give none of it: the {target.noun} has never seen it",
            FIX[target],
        )
        for line in prose.lines(spec.sections.get("goal"))
        if not line.data
        and (match := _OWNED.search(line.text))
        and not _RUNS_ON.match(line.text, match.end())
        and not (target is Target.WEB and _researched(match.group(0), spec))
    ][:1]


_RUNS_ON = pattern_cache.compile(
    r"\s+(?:run|runs|use|uses|are on|is on|depend on|depends on|target|targets)\s+(?:[\w.-]+\s+){0,3}?v?\d",
    re.IGNORECASE,
)
"""A thing of theirs that the sentence says runs a version ("the clinic's Java services run Spring 3.2", 'our apps
use Node 20'): the fact the work needs about it is handed over; the research is about what it runs."""


def _researched(named: str, spec: Spec) -> bool:
    """For a web run, an organisation's published material ("NIH's own pages", "Stripe's payout report") is what
    it is sent to find, once the spec says on which site: a capitalised owner, a thing that is published, and a
    web address anywhere in the spec. Someone's notes, sheets or emails are never on the web."""
    published = _PUBLISHED.match(named) or _PUBLIC_PAGE.fullmatch(named)
    return bool(published) and bool(_DOMAIN.search(spec.text) or _HOST.search(spec.text))


_PUBLIC_PAGE = pattern_cache.compile(
    r"(?!\W*(?:our|my|your|the team['’]s|internal)\b)\W*(?:[\w'’.-]+\s+){0,4}?(?:pages?|site|website|changelog|"
    r"release notes)\W*",
    re.IGNORECASE,
)
"""A page that is not the writer's own ("each repo's releases page", 'the project changelog') is on the public web,
where a web run goes to read it once it knows the site; 'our wiki page' is not."""
_HOST = pattern_cache.compile(
    r"\b(?:on|from) (?:GitHub|GitLab|Codeberg|PyPI|npm|crates\.io|Docker Hub|Maven Central|arXiv|PubMed)\b",
    re.IGNORECASE,
)
"""A public host named instead of its address ('the latest release of `actions/cache` on GitHub') says which site
as well as a domain does."""


_PUBLISHED = pattern_cache.compile(
    r"(?:the\s+)?(?-i:[A-Z][\w.&-]*)(?:\s+(?-i:[A-Z][\w.&-]*))*['’]s?\s+(?:[\w'’\"“”-]+\s+){0,4}?"
    r"(?:pages?|site|website|docs?|documentation|guidance|reports?|code|rules|policy|policies|terms|api|standards?|"
    r"statistics|figures|data(?:set)?|filings?|publications?|specification)\b",
    re.IGNORECASE,
)
_DOMAIN = pattern_cache.compile(
    r"\bhttps?://\S+|\b(?:[a-z0-9-]+\.)+(?:gov|org|com|net|io|dev|edu|int|eu|uk|de|fr|ca|au)(?:/\S*)?\b", re.I
)


def names_material(text: str) -> bool:
    """The text names a definite thing to work on: 'the profiler output', "Maria's notes", 'our RateLimiter
    class'."""
    return bool(_NAMED.search(text) or _OWNED.search(text))


_OWNED = pattern_cache.compile(
    rf"(?:\b(?:our|my|your|their|his|her)|{_OWNER})\s+(?:{_FILLER}[\w'’/.-]+\s+){{0,3}}?{_OWNED_THING}\b",
    re.IGNORECASE,
)
"""A possessive thing: 'our RateLimiter class', "the team's export"."""


def _no_path(lines: list[prose.Line]) -> list[Finding]:
    """An agent's Inputs that give no path, code or data at all ('the retry helper we use, and the payments
    client') leave it to search the repository for what the writer meant. A path that is not there is
    missing-input's finding, not this one."""
    first = next((line for line in lines if line.text.strip()), None)
    opening = _OPENING.match(first.text) if first else None
    if first is None or opening is None:
        return []
    return [
        prose.finding(
            "input-not-given",
            first.number,
            opening.group(1).strip(" .,;:"),
            "names no file or directory of the repository (and gives no code or data): an agent has to guess "
            "where to start",
            FIX[Target.AGENT],
        )
    ]


_OPENING = pattern_cache.compile(r"\W*((?:\S+\s+){0,7}\S+)")
"""The first words of a line, to quote."""
_CITED = pattern_cache.compile(
    r"(?<![/\w])(?-i:[A-Z][\w'’-]+)(?: et al\.?,? \(?(?:19|20)\d\d[a-z]?\b\)?|(?:,? (?:&|and) (?-i:[A-Z][\w'’-]+))?,? "
    r"\((?:19|20)\d\d[a-z]?\))|\((?-i:[A-Z][\w'’-]+)(?: et al\.?)?, (?:19|20)\d\d[a-z]?\)",
    re.IGNORECASE,
)
"""An author and a year ('Liang et al. (2023)', 'Okoro & Baptiste (2024)', '(Smith, 2020)'): where to find a text,
not the text."""
_ON_CITATIONS = pattern_cache.compile(
    r"\b(?:format|formats|formatting|convert|converts|converting|reformat\w*|sort|order|alphabeti[sz]e|dedupe|"
    r"de-?duplicate|normali[sz]e|fix|check|style|number|merge)\b(?: [\w'’-]+){0,5}? (?:references?|citations?|"
    r"bibliograph\w*|reading[- ]list(?: entries)?|works cited|(?:reference|citation)[- ]list|entries)\b",
    re.IGNORECASE,
)
"""A Goal that works on the citations themselves ('Convert the six reading-list entries below into APA'): each
citation in the Inputs is an entry handed over, not a document to look up."""
_CITED_TITLE = pattern_cache.compile(
    f"(?:{_CITED.pattern})" + r"[,:]?\s*(?:\"(?:[^\"\s]+\s+){0,11}[^\"\s]*\"|“(?:[^”\s]+\s+){0,11}[^”\s]*”)",
    re.IGNORECASE,
)
"""A short quote right after a citation (up to a dozen words) is the cited work's title, not its content; a longer
one is the text itself: its abstract, a passage."""
_DATA_BESIDE = pattern_cache.compile(r'"[^"\n]*"|“[^”\n]*”|`[^`\n]{20,}`')
"""Text handed over on the same line as the citation: a quote or a long code span."""


_HEAD = pattern_cache.compile(rf"^\W*(?:{_FILLER}[\w'’-]+\s+){{0,3}}?{_THING}\b", re.IGNORECASE)
"""A line that starts by naming a thing, with no article: 'Interview notes (12 interviews)', 'Sales data for Q3'."""


def _worked_on(item: str) -> re.Match[str] | None:
    """In the prose of a spec with no Inputs section, a named thing is material when the work reads or uses it
    ('Please read the email thread with ...', 'the answers from our participant survey'), or it is someone's own;
    a thing only mentioned ('confirm the page resolves') is not, nor one the work goes out to ('it goes out on our
    status page', 'posted to our blog') or a document it is for ('for our platform policy doc'): that is where
    the answer goes, not what it reads."""
    return next(
        (
            match
            for match in _NAMED.finditer(item)
            if (_USES.search(item[: match.start()]) or _POSSESSED.match(match.group(0)))
            and not _GOES_TO.search(item[: match.start()])
            and not (_FOR.search(item[: match.start()]) and _DOCUMENT.search(match.group(0)))
        ),
        None,
    )


_FOR = pattern_cache.compile(r"\bfor\s+$", re.IGNORECASE)
_DOCUMENT = pattern_cache.compile(
    r"\b(?:docs?|documents?|reports?|deck|slides|newsletter|pages?|wiki|site|website|blog|board pack|file note|"
    r"matter file|policy|brief|memo|handbook|guide|post)$",
    re.IGNORECASE,
)
"""A document the answer is for ('the current support status ... for our platform policy doc', 'for the board
pack'): where the result will go, not material to read. Code or data after 'for' ('tests for our parser module')
is what the work is on."""


_GOES_TO = pattern_cache.compile(
    r"\b(?:goes|go|going|sent|posted|published|shown|shared|appears?|lands?|uploaded|added)(?: out| up| live)?"
    r"(?: (?:on|to|onto|into|in))\s+$",
    re.IGNORECASE,
)


_USES = pattern_cache.compile(
    r"\b(?:read|reread|review|summari[sz]e|use|using|see|open|go through|look (?:at|over|through)|from|in|based on|"
    r"per|following|according to|as in|out of)\s+$",
    re.IGNORECASE,
)
_POSSESSED = pattern_cache.compile(rf"(?:our|my|their|{_OWNER})\s", re.IGNORECASE)


def _subject(item: str) -> re.Match[str] | None:
    """A named thing near the start of the line: its subject ('The last 500 lines of the server log'), not a thing
    a longer description mentions in passing ('The change adds a flag to the deploy script')."""
    match = _NAMED.search(item)
    if match and _STATES.search(item, 0, match.start()):
        return None  # 'Growth adds SSO and the scheduling API': a fact about something, stated, not material named
    return match if match and len(item[: match.start()].split()) <= _SUBJECT_WORDS else None


_STATES = pattern_cache.compile(
    rf"\b(?:{_VERB}|adds|lacks|offers|supports|provides|ships|covers|replaces|keeps)\b", re.IGNORECASE
)


_THE_GIVEN = pattern_cache.compile(
    r"the (?:code|source(?: code)?|files?|scripts?|modules?|functions?|class(?:es)?|schema|query|data)", re.IGNORECASE
)
"""A bare 'the code' or 'the file' once the section has handed over a path, code or data is what it handed over
('`src/config.py`, which reads the variables; Required is yes if the code raises when one is missing')."""
_ITEM = pattern_cache.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
"""A list item; two or more make the section a data list, whose items may start with any word."""
_WHOLLY_QUOTED = pattern_cache.compile(r'\W*["“][^"”]*["”]\W*')


def _unbulleted(text: str) -> str:
    return _ITEM.sub("", text)


def _given(text: str, raw: str, target: Target, cwd: Path | None) -> bool:
    """The line hands something over: data (or a colon introducing the lines below), a path (that exists, when
    there is a --cwd to look in), a web URL (with its scheme or without: 'python.org/downloads'). A thing's title and its description in parentheses are not data."""
    if target is Target.WEB and (_URL.search(text) or any(prose.HOST.match(path) for path in paths_in(raw))):
        return True
    if _WHOLLY_QUOTED.fullmatch(_unbulleted(raw)):
        return True
    prose_text = prose.without_quotes(_TITLE.sub(" ", _URL.sub(" ", raw.replace("`", " "))))
    if prose.DATA in prose_text or prose_text.rstrip().endswith(":"):
        return True
    described = _SIZE.sub(" ", _LAYOUT.sub(_layout, _DESCRIPTION.sub(" ", _NAMED.sub(" ", prose_text))))
    if _DATA_ON_LINE.search(described):
        return True
    paths = paths_in(_URL.sub(" ", raw))
    return any(cwd is None or _exists(cwd, path) for path in paths)


def _exists(cwd: Path, path: str) -> bool:
    try:
        return path_exists(cwd, path)
    except (OSError, ValueError):
        return False
