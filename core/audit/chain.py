"""A hash chain per project, so an edited, deleted or moved run record shows up in `dispatch audit verify`.

When a run ends, its record is sealed: `chain = {seq, prev, sha256}`, where `sha256` is the digest of the record
itself (canonical JSON, everything but `chain.sha256`) and `prev` the digest of the project's previous sealed
entry; the record and its chain are one atomic write. A record still "running" is not sealed yet (it is rewritten
when the run ends, or marked interrupted by recovery, and sealed then), so sealed records never change again.
Removing records (prune, rm) writes a tombstone, itself a sealed entry, that lists what it removed with their
digests, so the chain still verifies across the hole.

Finding the previous entry must not read every record: `chain-head.json` names the last entry (seq, digest, prev,
file). It is written before the record it names, so a crash between the two leaves a head naming a record that is
still unsealed, and that record is then sealed at the head's seq (recovery does it). A head that names anything
else it does not match is not trusted: the head is found again by reading every entry.

A finished run's record also holds the sha256 of its event log (`events_log`), taken when the record is sealed, by
which time the log is complete: an edited or deleted event log shows up beside its record.

This is tamper evidence, not proof against someone who rewrites the whole chain with the same tool: anyone who
can write the files can recompute every digest. It catches a record edited by hand, one removed, and two swapped.
Records written before chains existed are left as they are and reported as unchained.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.audit.store import EVENTS_SUFFIX, RESULT_SUFFIX
from core.fsutil import atomic_write_json, file_digest, identity, read_json

HEAD = "chain-head.json"
TOMBSTONE_PREFIX = "tombstone-"
RUNNING = "running"


def digest(entry: dict[str, Any]) -> str:
    """The sha256 of an entry as canonical JSON, its own `chain.sha256` left out (the rest of `chain` is in)."""
    content = dict(entry)
    if isinstance(chain := content.get("chain"), dict):
        content["chain"] = {key: value for key, value in chain.items() if key != "sha256"}
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def link_of(entry: Any) -> dict[str, Any] | None:
    """An entry's chain fields, or None when it carries none (unsealed, or written before chains)."""
    chain = entry.get("chain") if isinstance(entry, dict) else None
    return chain if isinstance(chain, dict) and isinstance(chain.get("seq"), int) else None


@dataclass(frozen=True)
class Head:
    seq: int
    sha256: str | None
    prev: str | None = None
    name: str = ""
    """The file (in the project's logs) that holds the entry."""


GENESIS = Head(0, None)


def seal(logs: Path, name: str, entry: dict[str, Any]) -> dict[str, Any]:
    """`entry` (a finished run record or a tombstone, to be written as `logs/name`) with its chain fields, after
    moving the head to it. The caller holds the project lock and writes the entry next, atomically."""
    if entry.get("status") == RUNNING:
        return entry
    head = _trusted_head(logs, name)
    if head.name == name:
        seq, prev = head.seq, head.prev  # the head was moved to this entry and then the process died
    else:
        seq, prev = head.seq + 1, head.sha256
    sealed: dict[str, Any] = json.loads(
        json.dumps({**entry, "chain": {"seq": seq, "prev": prev}}, ensure_ascii=False, default=str)
    )  # the digest is of what the file will hold
    sealed["chain"]["sha256"] = digest(sealed)
    # Not fsynced: the entry's own write follows in this directory, and its directory fsync makes this rename durable
    # with it; a head torn by a crash does not parse, and is found again by reading every entry.
    atomic_write_json(
        logs / HEAD, {"seq": seq, "sha256": sealed["chain"]["sha256"], "prev": prev, "name": name}, sync=False
    )
    return sealed


def _trusted_head(logs: Path, name: str) -> Head:
    """The head file when it matches the entry it names (or names the entry being sealed, still unsealed); else the
    head found by reading every entry."""
    try:
        data = read_json(logs / HEAD)
        head = Head(int(data["seq"]), data.get("sha256"), data.get("prev"), str(data.get("name") or ""))
    except (OSError, ValueError, TypeError, KeyError):
        return _scan_head(logs, name)
    if head.seq < 1 or Path(head.name).name != head.name or head.name.startswith("."):
        return _scan_head(logs, name)  # not a head we write: ours name an entry (seq 1 on) in the project's logs
    link = _known_link(logs / head.name)
    if link is None:
        try:
            named = read_json(logs / head.name)
        except (OSError, ValueError):
            named = None
        link = link_of(named)
    if link is not None and link.get("sha256") == head.sha256 and link.get("seq") == head.seq:
        return head
    if head.name == name and link is None:
        return head
    return _scan_head(logs, name)


_written: dict[Path, tuple[Path, tuple[int, int, int], dict[str, Any]]] = {}
"""Per project, the last entry this process wrote: its file, that file's identity then, and its chain fields."""


def remember(path: Path, entry: dict[str, Any]) -> None:
    """Note the entry just written to `path`, so that sealing the next one need not read it back: a batch's items
    in one project each found the head by parsing the record before (all of it, a long answer included)."""
    if (link := link_of(entry)) is not None and (written := identity(path)) is not None:
        _written[path.parent] = (path, written, dict(link))


def _known_link(path: Path) -> dict[str, Any] | None:
    """The chain fields of `path` as this process wrote it, while the file is still the one it wrote (the same inode,
    size and mtime); None when it has not, or the file changed since (it is read then, as always). `verify` never
    takes this shortcut, so an edit that kept all three still shows up there."""
    known = _written.get(path.parent)
    if known is None or known[0] != path or identity(path) != known[1]:
        return None
    return known[2]


def _scan_head(logs: Path, sealing: str) -> Head:
    """The last sealed entry, by reading every entry but `sealing`: the one being sealed is the running record it
    replaces (only running records are sealed), never an entry yet, and a new project's first seal, which finds no
    head, then reads nothing back."""
    best = GENESIS
    for entry in read_entries(logs, skip=sealing):
        if entry.link is not None and entry.link["seq"] > best.seq:
            best = Head(entry.link["seq"], entry.link.get("sha256"), entry.link.get("prev"), entry.name)
    return best


@dataclass
class Entry:
    """One file of the chain as found on disk."""

    name: str
    data: dict[str, Any] | None
    """None when the file is not a JSON object."""
    link: dict[str, Any] | None = None


def read_entries(logs: Path, skip: str = "") -> list[Entry]:
    """Every run record and tombstone of a project (but the file named `skip`), in file-name order (run ids sort by
    time)."""
    names = sorted(p.name for p in logs.glob(f"*{RESULT_SUFFIX}")) + sorted(
        p.name for p in logs.glob(f"{TOMBSTONE_PREFIX}*.json")
    )
    entries = []
    for name in names:
        if name == skip:
            continue
        try:
            data = read_json(logs / name)
        except (OSError, ValueError):
            data = None
        data = data if isinstance(data, dict) else None
        entries.append(Entry(name, data, link_of(data)))
    return entries


@dataclass(frozen=True)
class Problem:
    kind: str
    """edited, missing or reordered."""
    where: str
    """The run id or file it is about."""
    detail: str


@dataclass
class Report:
    """What `verify` found in one project."""

    slug: str
    chained: int = 0
    """Run records sealed into the chain (tombstones are links too, but not counted here)."""
    unchained: int = 0
    running: int = 0
    removed: int = 0
    problems: list[Problem] = field(default_factory=list)
    note: str = ""
    """For a project `rm` removed: by whom, when, and its tombstone."""

    @property
    def ok(self) -> bool:
        return not self.problems


def tombstone_name(seq: int) -> str:
    return f"{TOMBSTONE_PREFIX}{seq:08d}.json"


def next_seq(logs: Path) -> int:
    """The seq the next sealed entry will get (for naming a tombstone before it is sealed); lock held."""
    return _trusted_head(logs, "").seq + 1


def fingerprint(logs: Path) -> tuple[tuple[str, int, int], ...]:
    """What `verify` would read, as (name, mtime, size) per file: a cheap way to know its last report still holds."""
    found = []
    names = (f"*{RESULT_SUFFIX}", f"*{EVENTS_SUFFIX}", f"{TOMBSTONE_PREFIX}*.json")
    for path in sorted([*(p for name in names for p in logs.glob(name)), logs / HEAD]):
        try:
            st = path.stat()
        except FileNotFoundError:
            continue
        found.append((path.name, st.st_mtime_ns, st.st_size))
    return tuple(found)


class Verifier:
    """`verify` with its last report per project kept until the files change (the console asks on every page)."""

    def __init__(self) -> None:
        self._known: dict[Path, tuple[tuple[tuple[str, int, int], ...], bool, Report]] = {}

    def verify(self, slug: str, logs: Path, live: bool) -> Report:
        mark = fingerprint(logs)
        known = self._known.get(logs)
        if known is not None and known[0] == mark and known[1] == live:
            return known[2]
        report = verify(slug, logs, live)
        self._known[logs] = (mark, live, report)
        return report


def verify(slug: str, logs: Path, live: bool) -> Report:
    """Walk one project's chain: each entry's digest, its link to the one before, seq gaps, files that hold another
    run's record, and the head. `live` says a run holds the project now (its record is rightly unsealed)."""
    report = Report(slug)
    entries = read_entries(logs)
    by_seq: dict[int, list[tuple[str, str | None, str | None]]] = {}
    """seq -> [(label, sha256, prev)]: sealed entries, and the records tombstones say they removed."""
    first_sealed = min(
        (
            str(e.data.get("started_at") or "")
            for e in entries
            if e.link and e.data and not e.name.startswith(TOMBSTONE_PREFIX)
        ),
        default=None,
    )
    for entry in entries:
        label = entry.name.removesuffix(RESULT_SUFFIX)
        if entry.data is None:
            report.problems.append(Problem("edited", label, "the file is not a JSON record any more"))
            continue
        if entry.link is None:
            _unsealed(report, label, entry.data, first_sealed, live)
            continue
        report.chained += not entry.name.startswith(TOMBSTONE_PREFIX)
        if digest(entry.data) != entry.link.get("sha256"):
            report.problems.append(
                Problem("edited", label, "its content no longer matches the sha256 it was sealed with")
            )
        run_id = entry.data.get("run_id")
        if not entry.name.startswith(TOMBSTONE_PREFIX) and run_id != label:
            report.problems.append(
                Problem("reordered", label, f"this file holds the record of run {run_id} (seq {entry.link['seq']})")
            )
        if not entry.name.startswith(TOMBSTONE_PREFIX) and (problem := _events_problem(logs, label, entry.data)):
            report.problems.append(problem)
        by_seq.setdefault(entry.link["seq"], []).append((label, entry.link.get("sha256"), entry.link.get("prev")))
        for gone in entry.data.get("removed") or [] if entry.name.startswith(TOMBSTONE_PREFIX) else []:
            if not isinstance(gone, dict) or not isinstance(gone.get("seq"), int):
                continue  # removed before it was chained
            if any(sha == gone.get("sha256") for _, sha, _ in by_seq.get(gone["seq"], [])):
                continue  # a prune killed after its tombstone, before it removed this record: it is still here
            report.removed += 1
            by_seq.setdefault(gone["seq"], []).append(
                (f"{gone.get('run_id')} (removed)", gone.get("sha256"), gone.get("prev"))
            )
    head = _head_of(logs)
    if (
        head is not None
        and head.name.startswith(TOMBSTONE_PREFIX)
        and head.seq == max(by_seq, default=0) + 1
        and not (logs / head.name).exists()
    ):
        head = None  # a removal killed after moving the head, before writing its tombstone: it removed nothing yet
    _walk(report, by_seq, head)
    return report


def _events_problem(logs: Path, label: str, data: dict[str, Any]) -> Problem | None:
    """What is wrong with a sealed run's event log: edited since (its digest differs from the one sealed with the
    record) or removed. The log is the record's own run's: a record moved to another file (reported as reordered)
    still names it. A record sealed before logs were digested says nothing of its log."""
    sealed = data.get("events_log")
    if not isinstance(sealed, dict):
        return None
    run_id = data.get("run_id")
    name = f"{run_id if isinstance(run_id, str) and '/' not in run_id else label}{EVENTS_SUFFIX}"
    found = file_digest(logs / name)
    if found is None:
        return Problem("missing", label, f"its event log {name} is gone")
    if found["sha256"] != sealed.get("sha256"):
        return Problem("edited", label, f"its event log {name} no longer matches the sha256 sealed with its record")
    return None


def _unsealed(report: Report, label: str, data: dict[str, Any], first_sealed: str | None, live: bool) -> None:
    if data.get("status") == RUNNING and live:
        report.running += 1
    elif first_sealed is None or str(data.get("started_at") or "") < first_sealed:
        report.unchained += 1
    else:
        report.problems.append(
            Problem(
                "edited",
                label,
                "it carries no chain, though it was written after chaining began (its chain was removed)",
            )
        )


def _head_of(logs: Path) -> Head | None:
    try:
        data = read_json(logs / HEAD)
        return Head(int(data["seq"]), data.get("sha256"), data.get("prev"), str(data.get("name") or ""))
    except (OSError, ValueError, TypeError, KeyError):
        return None


def _walk(report: Report, by_seq: dict[int, list[tuple[str, str | None, str | None]]], head: Head | None) -> None:
    """Seq 1 to the head in order: a gap is a missing record, a seq claimed twice or a link to some other entry
    than the one before is a reordering, and a head past the last entry means the newest ones are gone."""
    last = max(by_seq, default=0)
    if head is not None and head.seq > last:
        report.problems.append(
            Problem(
                "missing",
                head.name.split("-result")[0] or "head",
                f"the chain's head is seq {head.seq}, the last entry found is seq {last}",
            )
        )
    digests = {sha: label for entries in by_seq.values() for label, sha, _ in entries if sha}
    before: str | None = None
    for seq in range(1, last + 1):
        here = by_seq.get(seq)
        if not here:
            report.problems.append(
                Problem(
                    "missing",
                    f"seq {seq}",
                    "no record or tombstone holds this place in the chain (a record was deleted)",
                )
            )
            before = None
            continue
        if len(here) > 1:
            names = ", ".join(label for label, _, _ in here)
            report.problems.append(Problem("reordered", here[0][0], f"seq {seq} is claimed by {names}"))
        label, sha, prev = here[0]
        if before is not None and prev != before:
            other = digests.get(prev or "")
            report.problems.append(
                Problem(
                    "reordered" if other else "edited",
                    label,
                    f"it links to {other} instead of the entry before it"
                    if other
                    else "its link to the entry before it is broken",
                )
            )
        before = sha
