"""Earlier runs and projects as `dispatch://` resources, so a host can read a result again without re-running:

    dispatch://projects/<slug>                 the project's status (what `dispatch status --json` prints)
    dispatch://runs/<slug>/<run_id>            the run's envelope (what `--json` printed)
    dispatch://runs/<slug>/<run_id>/result     the run's result text

The listing holds the newest runs and projects from the index; any other run is readable by its URI.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from core.audit.index import Index
from core.audit.store import SLUG
from core.cli.views import project_status
from core.errors import UsageError
from core.mcp.runs import RUN_ID, envelope_data, read_envelope

LISTED = 25
"""How many of the newest runs, and of the most recently updated projects, the listing names."""
_SLUG = SLUG.pattern.strip("^$")
_URI = re.compile(
    rf"dispatch://(?:projects/(?P<project>{_SLUG})|runs/(?P<slug>{_SLUG})/(?P<run>{RUN_ID.pattern})"
    rf"(?P<result>/result)?)"
)
TEMPLATES = (
    (
        "dispatch://projects/{slug}",
        "project",
        "A project's status: summary, last run, last session, last result.",
        "application/json",
    ),
    (
        "dispatch://runs/{slug}/{run_id}",
        "run envelope",
        "A run's envelope, as `dispatch ... --json` printed it.",
        "application/json",
    ),
    ("dispatch://runs/{slug}/{run_id}/result", "run result", "A run's result text.", "text/markdown"),
)


@dataclass(frozen=True)
class Listed:
    uri: str
    name: str
    description: str
    mime_type: str


def listing() -> list[Listed]:
    with Index.open() as index:
        runs = index.runs(limit=LISTED)
        projects = index.projects(limit=LISTED)
    found = []
    for run in runs:
        base = f"dispatch://runs/{run.slug}/{run.run_id}"
        what = f"{run.kind} {run.status} on {run.model or '-'}, {run.started_at or ''}".strip(", ")
        found += [
            Listed(base, f"{run.slug} {run.run_id} envelope", what, "application/json"),
            Listed(f"{base}/result", f"{run.slug} {run.run_id} result", what, "text/markdown"),
        ]
    found += [
        Listed(f"dispatch://projects/{p.slug}", f"project {p.slug}", p.description or p.slug, "application/json")
        for p in projects
    ]
    return found


def read(uri: str) -> tuple[str, str]:
    """A resource's text and MIME type; an unknown URI is a UsageError naming the shapes there are."""
    match = _URI.fullmatch(uri)
    if match is None:
        raise UsageError(
            f"unknown resource {uri!r}", "use dispatch://projects/<slug>, dispatch://runs/<slug>/<run_id>[/result]"
        )
    if match["project"]:
        return json.dumps(project_status(match["project"])[0], indent=2, ensure_ascii=False), "application/json"
    envelope = read_envelope(match["run"], match["slug"])
    if match["result"]:
        return envelope.result, "text/markdown"
    return json.dumps(envelope_data(envelope), indent=2, ensure_ascii=False, default=str), "application/json"
