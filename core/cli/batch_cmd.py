"""`dispatch batch` and `dispatch costs`: many dispatches in one process, and what every run has spent.

A thin layer over core.batch.runner.Batch: flags in, progress on stderr, envelopes (JSONL with --json, one
tab-separated line per item without) on stdout as items end, then the summary.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

from core import config as configs
from core.batch import manifest, procs, trail
from core.batch.runner import Batch, ItemView, Options
from core.cli.numbers import positive_int, positive_up_to, usd
from core.cli.output import emit_json, error_line, table
from core.dollars import money
from core.errors import ExitCode, UsageError

PLAIN_EVERY_S = 10.0
"""How often the progress line is printed when stderr is not a terminal."""
REDRAW_EVERY_S = 0.1
CANCEL_WAIT_S = 30.0
"""How long `--cancel` waits for the batch to stop: its in-flight items are interrupted, which is quick."""
REJECTIONS_SHOWN = 50
"""Rejected items listed on stderr one by one; the rest are counted (a 10 MB manifest of garbage has thousands)."""


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    batch = commands.add_parser(
        "batch",
        parents=[common],
        help="run many dispatches in one process: specs, a directory or a manifest",
        description="Run many dispatches at once with shared rate limits and a budget. Every item is checked "
        "first; items with checklist errors are reported together before anything is sent. Items of "
        "one project run in order, different projects in parallel. The batch is recorded, so a killed "
        "batch can be resumed with --resume.",
        epilog="examples:\n  dispatch batch specs/*.md -j 16\n  dispatch batch work.jsonl --max-cost 2 --json\n"
        "  dispatch batch --template classify.md --rows tickets.csv\n  dispatch batch --resume BATCH_ID\n"
        "  dispatch batch --cancel BATCH_ID",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    batch.add_argument(
        "sources",
        nargs="*",
        metavar="SOURCE",
        help="spec files, globs, directories of specs, or .jsonl / .csv manifests",
    )
    batch.add_argument("--template", type=Path, metavar="FILE", help="a spec with {name} placeholders...")
    batch.add_argument("--rows", type=Path, metavar="FILE", help="...filled from each row of this CSV or JSONL")
    batch.add_argument("--resume", metavar="BATCH_ID", help="run what a recorded batch has not finished ok")
    batch.add_argument("--list", action="store_true", help="list recorded batches, newest first")
    batch.add_argument(
        "--cancel",
        metavar="BATCH_ID",
        help="stop a batch another process runs, as ctrl+c there would (resumable with --resume)",
    )
    batch.add_argument(
        "-j",
        "--concurrency",
        type=positive_int,
        default=8,
        metavar="N",
        help="dispatches in flight at once (default 8)",
    )
    batch.add_argument(
        "-P",
        "--processes",
        type=positive_up_to(procs.most(), f"{procs.PROCESSES_PER_CPU} per CPU"),
        metavar="N",
        help="worker processes to share the items between (default: one per CPU once there are "
        f"{procs.ITEMS_PER_PROCESS} items per worker, else 1: this process alone; at most "
        f"{procs.PROCESSES_PER_CPU} per CPU, and never more than the items)",
    )
    batch.add_argument(
        "--agents", type=positive_int, default=2, metavar="N", help="agent-backend items at once, within -j (default 2)"
    )
    batch.add_argument(
        "--max-cost",
        type=usd,
        metavar="USD",
        help="stop launching once spent + in flight + the next estimate would cross USD (default: [budgets] batch)",
    )
    batch.add_argument(
        "--skip-rejected",
        action="store_true",
        help="run the items that pass the checks and record the others as rejected",
    )
    batch.add_argument("--timeout", type=float, metavar="SEC", help="per item, as `run --timeout`")
    batch.add_argument("--cwd", type=Path, help="directory the specs' input paths are relative to (default: here)")
    batch.add_argument(
        "--json", action="store_true", help="one envelope per line (JSONL) as items end, then a summary object"
    )
    batch.set_defaults(handler=cmd_batch)

    costs = commands.add_parser(
        "costs",
        parents=[common],
        help="spend from the index, grouped",
        epilog="example: dispatch costs --by day --since 2026-11-01",
    )
    costs.add_argument(
        "--by", choices=("model", "tier", "project", "day"), default="model", help="group by (default model)"
    )
    costs.add_argument("--since", metavar="DATE", help="only runs started on or after DATE (YYYY-MM-DD)")
    costs.add_argument("--json", action="store_true", help="print a JSON list")
    costs.set_defaults(handler=cmd_costs)


def cmd_batch(args: argparse.Namespace) -> int:
    if args.cancel:
        if args.sources or args.template or args.rows or args.resume or args.list:
            raise UsageError("--cancel takes only a batch id", "e.g. dispatch batch --cancel BATCH_ID")
        return _cancel(args.cancel, args.json)
    if args.list:
        return _list_batches(args.json)
    if args.timeout is not None and not args.timeout > 0:
        raise UsageError(f"--timeout {args.timeout:g} must be a positive number of seconds", "e.g. --timeout 600")
    if args.cwd is not None and not args.cwd.is_dir():
        raise UsageError(f"--cwd {args.cwd} is not a directory", "pass an existing directory")
    options = Options(
        concurrency=args.concurrency,
        agents=args.agents,
        processes=args.processes,
        max_cost=args.max_cost,
        skip_rejected=args.skip_rejected,
        timeout=args.timeout,
        cwd=args.cwd,
    )
    config = configs.load()
    progress = Progress(args.json)
    if args.resume:
        if args.sources or args.template or args.rows:
            raise UsageError("--resume takes no sources", "resume runs the recorded manifest; pass only its id")
        batch = Batch.resume(config, args.resume, options, on_checked=progress.checked)
    else:
        batch = Batch.plan(config, _items(args), options, on_checked=progress.checked)
    progress.clear()
    if batch.rejected and not batch.options.skip_rejected:
        for view in batch.rejected[:REJECTIONS_SHOWN]:
            error_line(f"dispatch: rejected item {view.item.index} ({view.item.source}): {view.error}")
        if len(batch.rejected) > REJECTIONS_SHOWN:
            error_line(
                f"dispatch: ... and {len(batch.rejected) - REJECTIONS_SHOWN} more rejected items"
                + (" (every one is in the JSON lines on stdout)" if args.json else " (--json lists them all)")
            )
        error_line(
            f"dispatch: {len(batch.rejected)} of {len(batch.views)} items rejected; nothing was sent "
            "(fix them, or pass --skip-rejected to run the rest)"
        )
        if args.json:
            for view in batch.rejected:
                _emit_line(view.outcome())
        return int(ExitCode.SPEC_REJECTED)
    progress.batch = batch
    summary = asyncio.run(_drive(batch, progress))
    progress.close(summary)
    if args.json:
        _emit_line(summary)
    if summary["stopped"] == "interrupted":
        return int(ExitCode.INTERRUPTED)
    return int(ExitCode.OK if summary["ok"] == summary["total"] else ExitCode.RUN_FAILED)


def _items(args: argparse.Namespace) -> list[manifest.Item]:
    if args.template or args.rows:
        if not (args.template and args.rows):
            raise UsageError("--template and --rows go together", "e.g. --template classify.md --rows tickets.csv")
        if args.sources:
            raise UsageError("pass either sources or --template with --rows, not both", "see `dispatch batch --help`")
        return manifest.from_template(args.template, args.rows)
    if not args.sources:
        raise UsageError("nothing to run", "pass spec files, a directory, a .jsonl/.csv manifest, or --resume ID")
    return manifest.from_paths(args.sources)


async def _drive(batch: Batch, progress: Progress) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, batch.cancel)
    ticker = asyncio.create_task(progress.tick())
    try:
        return await batch.run(on_item=progress.item_ended, on_notice=progress.notice)
    finally:
        ticker.cancel()


def _emit_line(data: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


class Progress:
    """Stdout: each item as it ends. Stderr: a live line on a terminal, a plain line every PLAIN_EVERY_S otherwise,
    while the items are checked (`checked`) and then while the batch runs (once `batch` is set)."""

    def __init__(self, json_mode: bool) -> None:
        self._batch: Batch | None = None
        self.json_mode = json_mode
        self.live = sys.stderr.isatty()
        self._drawn = time.monotonic()
        self._line_open = False

    @property
    def batch(self) -> Batch:
        assert self._batch is not None, "the batch's progress is drawn only once it is planned"
        return self._batch

    @batch.setter
    def batch(self, batch: Batch) -> None:
        self._batch = batch

    def checked(self, done: int, total: int) -> None:
        """Planning's progress, drawn from its loop (no event loop ticks then) at the run phase's cadence."""
        if time.monotonic() - self._drawn >= (REDRAW_EVERY_S if self.live else PLAIN_EVERY_S):
            self._draw(f"batch: checked {done:,}/{total:,} items")

    def item_ended(self, view: ItemView) -> None:
        try:
            if self.json_mode:
                _emit_line(view.outcome())
            else:
                sys.stdout.write(
                    "\t".join(
                        (
                            str(view.item.index),
                            view.status,
                            view.item.slug or "-",
                            view.run_id or "-",
                            view.audit_path or view.error or "",
                        )
                    )
                    + "\n"
                )
                sys.stdout.flush()
        except BrokenPipeError:
            # Whoever read stdout has gone (`| head`): stop as on SIGINT, so what runs is recorded interrupted.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            self.batch.cancel("output_closed")
        if self.live and time.monotonic() - self._drawn >= REDRAW_EVERY_S:
            self._draw()

    def notice(self, message: str) -> None:
        self.clear()
        error_line(f"dispatch: {message}")

    async def tick(self) -> None:
        while True:
            await asyncio.sleep(REDRAW_EVERY_S if self.live else PLAIN_EVERY_S)
            self._draw()

    def _draw(self, line: str | None = None) -> None:
        line = line or self.batch.totals().line()
        self._drawn = time.monotonic()
        if self.live:
            sys.stderr.write(f"\r\x1b[K{line}")
            sys.stderr.flush()
            self._line_open = True
        else:
            error_line(line)

    def clear(self) -> None:
        """Take the live line away, so the next line on stderr starts at the edge."""
        if self._line_open:
            sys.stderr.write("\r\x1b[K")
            self._line_open = False

    def close(self, summary: dict[str, Any]) -> None:
        self.clear()
        error_line(self.batch.totals().line())
        stopped = {"budget": f"; stopped by the budget: {self.batch.stop_why}", "interrupted": "; interrupted"}.get(
            summary["stopped"] or "", ""
        )
        error_line(
            f"dispatch: batch {summary['batch_id']}: {summary['ok']} ok, {summary['failed']} failed, "
            f"{summary['interrupted']} interrupted, {summary['skipped']} skipped, {summary['rejected']} rejected, {summary['not_started']} not started"
            f"{stopped}; record {summary['trail']}"
        )
        if summary["ok"] != summary["total"]:
            error_line(f"dispatch: `dispatch batch --resume {summary['batch_id']}` runs what did not finish ok")


def _cancel(batch_id: str, json_mode: bool) -> int:
    """Ask the process running a batch to stop, and wait until it has (its trail closed, its lock let go)."""
    found = trail.BatchTrail.open(batch_id)
    if (state := found.state()) != "running":
        raise UsageError(
            f"batch {batch_id} is not running (it is {state})",
            f"`dispatch batch --resume {batch_id}` runs what it has not finished ok",
        )
    found.request_cancel()
    deadline = time.monotonic() + CANCEL_WAIT_S
    while found.running() and time.monotonic() < deadline:
        time.sleep(0.05)
    if found.running():
        error_line(
            f"dispatch: asked batch {batch_id} to stop; it has not yet after {CANCEL_WAIT_S:g} s "
            f"(pid {found.meta().get('pid')}): see `dispatch batch --list`"
        )
        return int(ExitCode.RUN_FAILED)
    totals = found.meta().get("totals") or {}
    if json_mode:
        emit_json({"batch_id": batch_id, "status": found.state(), **totals})
    else:
        print(
            f"cancelled {batch_id}: {totals.get('ok', 0)} ok, {totals.get('failed', 0)} failed, "
            f"{totals.get('interrupted', 0)} interrupted, {totals.get('not_started', 0)} not started; `dispatch batch --resume {batch_id}` runs the rest"
        )
    return int(ExitCode.OK)


def _list_batches(json_mode: bool) -> int:
    rows = []
    for found in trail.recent(limit=50):
        meta = found.meta()
        records, _ = found.records()
        state = found.state()
        rows.append(
            {
                "batch_id": found.batch_id,
                "status": state,
                "created": meta.get("created"),
                "total": meta.get("total"),
                "ok": sum(r.done_ok for r in records.values()),
                "cost_usd": round(sum(r.cost_usd or 0.0 for r in records.values()), 8),
            }
        )
    if json_mode:
        emit_json(rows)
    elif rows:
        print(
            table(
                [
                    [
                        str(r["batch_id"]),
                        str(r["status"]),
                        str(r["created"] or "")[:19],
                        f"{r['ok']}/{r['total']}",
                        money(float(r["cost_usd"] or 0)),
                    ]
                    for r in rows
                ],
                ["BATCH", "STATUS", "CREATED", "OK", "COST"],
            )
        )
    else:
        error_line("dispatch: no batches on record")
    return int(ExitCode.OK)


def cmd_costs(args: argparse.Namespace) -> int:
    from core.audit.index import Index, normalize_since

    since = normalize_since(args.since)
    with Index.open() as index:
        rows = index.costs(args.by, since=since)
    if args.json:
        emit_json(
            [
                {
                    args.by: r.key,
                    "runs": r.runs,
                    "cost_usd": round(r.cost_usd, 8),
                    "input_tokens": r.input_tokens,
                    "output_tokens": r.output_tokens,
                }
                for r in rows
            ]
        )
        return int(ExitCode.OK)
    if not rows:
        error_line("dispatch: no runs" + (f" since {args.since}" if args.since else ""))
        return int(ExitCode.OK)
    total = sum(r.cost_usd for r in rows)
    print(
        table(
            [[r.key or "-", str(r.runs), f"{r.input_tokens}+{r.output_tokens}", f"${r.cost_usd:.6f}"] for r in rows]
            + [["total", str(sum(r.runs for r in rows)), "", f"${total:.6f}"]],
            [args.by.upper(), "RUNS", "TOKENS", "COST"],
        )
    )
    return int(ExitCode.OK)
