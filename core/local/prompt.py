"""A spec reshaped for a small local model, and the one repair made to its answer.

A 0.5B model follows the last thing it read and loses an instruction buried under headings: sent the spec as
written, Qwen2.5-Coder-0.5B answered 41 for 17 x 3 and labelled one of three messages; asked plainly it got both
right. So the task comes first, the material it works on next, what not to do after that, and the output
contract last as "Reply with ..." (an "Answer format:" label was followed less often), with the routing metadata (task type, tier, escalation) and the reviewer's verification left out.
No system turn is sent: the GGUF's chat template then supplies the one the model was tuned with, which scored
better on the labelled set (tests/e2e) than a generic instruction did. The spec as written stays in the audit
trail.

A classification spec that names its labels and asks for labels only gets its answer constrained to them, one
per line when it asks about several items (a llama.cpp grammar, `label_grammar`). Measured on the three customer
messages: laid out one label per line the model labels all three right (bug at p 0.93 on the crash report), but
free to choose it writes them on one line with commas (p 0.81 after the first label), and in that layout it calls
the crash report "praise". The grammar takes away the layout it goes wrong in; it cannot change which label the
model finds likeliest for one message.

Small models wrap JSON in a Markdown code fence even when told not to. When the contract asks for JSON and
not for a code block, a fence around an otherwise bare answer is taken off and the run records that it was.
"""

from __future__ import annotations

import re

from core import spec as specs

_FENCED = re.compile(r"\A\s*```[A-Za-z0-9_-]*[ \t]*\n(?P<body>.*?)\n?```\s*\Z", re.DOTALL)
_WANTS_JSON = re.compile(r"\bjson\b", re.IGNORECASE)
_WANTS_FENCE = re.compile(r"code block|fenced|```|markdown", re.IGNORECASE)
_EMPTY_INPUT = re.compile(r"^(none|n/a|-|nothing)\b", re.IGNORECASE)
_LABEL_LIST = re.compile(
    r"\b(?:one of(?: these| the following| the)?(?: labels| categories| classes)?|labels|categories|"
    r"classes)\s*:\s*(?P<labels>[^.;:\n]+)",
    re.IGNORECASE,
)
_LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _-]{0,30}")
_LABELS_ONLY = re.compile(r"\blabels? only\b|\bonly (?:the |one |a )?labels?\b", re.IGNORECASE)
_SEVERAL = re.compile(r"\beach\b|\bper line\b|\blines\b", re.IGNORECASE)


def reshape(spec_text: str, prompt: str) -> str:
    """The user turn for a small model; `prompt` unchanged when it is not a spec with a goal and an output."""
    spec = specs.parse(spec_text)
    goal, output = spec.get("goal"), spec.get("output")
    if not spec_text.strip() or not goal or not output:
        return prompt
    blocks = [goal]
    if (inputs := spec.get("inputs")) and not _EMPTY_INPUT.match(inputs):
        blocks.append(f"Input:\n{inputs}")
    if extra := prompt[len(spec_text.rstrip()) :].strip() if prompt.startswith(spec_text.rstrip()) else "":
        blocks.append(extra)
    if non_goals := spec.get("non-goals"):
        blocks.append(f"Do not: {non_goals}")
    lead = output[:1].lower() if output[1:2].islower() else output[:1]
    blocks.append(f"Reply with {lead}{output[1:]}")
    return "\n\n".join(blocks)


def wants_bare_json(spec_text: str) -> bool:
    """Whether the output contract asks for JSON and not for a code block around it."""
    output = specs.parse(spec_text).get("output")
    return bool(_WANTS_JSON.search(output)) and not _WANTS_FENCE.search(output)


def unfence_json(spec_text: str, answer: str) -> str | None:
    """The answer without the code fence around it, when the contract asks for bare JSON; else None."""
    if not wants_bare_json(spec_text):
        return None
    match = _FENCED.match(answer)
    return match["body"].strip() if match else None


def labels(spec_text: str) -> list[str]:
    """The closed set of labels a classification spec names ("one of these labels: a, b, c" in its goal or output)
    when its output contract asks for labels only; else [] (nothing to constrain)."""
    spec = specs.parse(spec_text)
    output = spec.get("output")
    if not _LABELS_ONLY.search(output):
        return []
    for section in (spec.get("goal"), output):
        if match := _LABEL_LIST.search(section):
            named = [part.strip(" '\"`") for part in re.split(r",\s*(?:or\s+|and\s+)?|\s+or\s+", match["labels"])]
            if len(named) >= 2 and all(_LABEL.fullmatch(label) for label in named):
                return named
    return []


def label_grammar(spec_text: str) -> str | None:
    """A llama.cpp grammar that lets the answer be only the spec's labels: one, or one per line when the spec asks
    about each of several items; None when the spec names no closed label set."""
    if not (named := labels(spec_text)):
        return None
    spec = specs.parse(spec_text)
    choice = " | ".join(f'"{label}"' for label in named)
    several = _SEVERAL.search(f"{spec.get('goal')}\n{spec.get('output')}")
    repeat = ' ("\\n" label)*' if several else ""
    return f"root ::= label{repeat}\nlabel ::= {choice}\n"
