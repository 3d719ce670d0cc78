"""`dispatch mcp`: the agent's door as an MCP server over stdio, on the official SDK's low-level server.

The low-level server, not the decorator one: the tools' schemas are declared here as data (core/mcp/arguments.py)
and checked by our own validator, and the decorator server configures logging through rich, which core never
imports. While it serves, the SDK points fd 1 at stderr, so nothing but protocol reaches stdout; diagnostics go to
stderr. When the host goes away (stdin closes) or sends SIGTERM, runs still in flight are stopped and recorded as
interrupted, as a CLI run stopped by a signal is.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sys
from typing import Any

import mcp_types as types
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server
from mcp.server.stdio import stdio_server
from mcp.shared.exceptions import MCPError
from mcp.shared.message import SessionMessage

from core import __version__
from core.cli import refusal_envelope
from core.errors import DispatchError, ExitCode
from core.mcp import resources, tools
from core.mcp.arguments import Roots
from core.mcp.runs import Runs

log = logging.getLogger("dispatch.mcp")
READ_ONLY = {"status", "result", "lint", "list", "project", "search", "diff"}
INSTRUCTIONS = (
    "dispatch hands bounded, self-contained tasks to cheaper models or coding agents and keeps every run in an "
    "audit trail. Write a spec (Goal, Non-goals, Inputs, Output, Verification, Escalation), check it with `lint`, "
    "send it with `dispatch` (blocks) or `start` (returns a run_id; then `status` / `result` / `cancel`). Review "
    "`result` before using it (`review` gets another model's verdict); never quietly resubmit a failure: read "
    "`error`, then `resume`, `escalate`, or do it yourself. Frontier reasoning and shipped prose are refused."
)


def build(door: tools.Door) -> Server[Any]:
    async def list_tools(ctx: ServerRequestContext[Any], params: Any) -> types.ListToolsResult:
        return types.ListToolsResult(
            tools=[
                types.Tool(
                    name=tool.name,
                    description=tool.description,
                    input_schema=tool.input_schema,
                    annotations=types.ToolAnnotations(read_only_hint=tool.name in READ_ONLY),
                )
                for tool in tools.TOOLS.values()
            ]
        )

    async def call_tool(ctx: ServerRequestContext[Any], params: types.CallToolRequestParams) -> types.CallToolResult:
        async def report(value: int, message: str) -> None:
            try:
                await ctx.session.report_progress(value, None, message)
            except Exception as exc:  # noqa: BLE001 - a progress note that cannot be sent must not fail the call
                log.debug("progress not sent: %s", exc)

        try:
            data = await tools.call(door, params.name, params.arguments, report)
        except tools.Refused as refused:
            return _result(refused.data, refused.line)
        except DispatchError as exc:
            slug = (params.arguments or {}).get("slug")
            refusal = {
                **refusal_envelope(exc, slug if isinstance(slug, str) else None),
                "exit_code": int(exc.exit_code),
            }
            return _result(refusal, f"dispatch: {exc.one_line()}")
        except Exception as exc:
            log.exception("tool %s failed", params.name)
            return _result(
                {"status": "error", "reason": "internal", "error": f"{type(exc).__name__}: {exc}"},
                f"dispatch: internal error in {params.name}: {type(exc).__name__}: {exc}",
            )
        return _result(data, None)  # a run that ran is never a tool error, whatever its status

    async def list_resources(ctx: ServerRequestContext[Any], params: Any) -> types.ListResourcesResult:
        return types.ListResourcesResult(
            resources=[
                types.Resource(uri=item.uri, name=item.name, description=item.description, mime_type=item.mime_type)
                for item in resources.listing()
            ]
        )

    async def list_templates(ctx: ServerRequestContext[Any], params: Any) -> types.ListResourceTemplatesResult:
        return types.ListResourceTemplatesResult(
            resource_templates=[
                types.ResourceTemplate(uri_template=uri, name=name, description=text, mime_type=mime)
                for uri, name, text, mime in resources.TEMPLATES
            ]
        )

    async def read_resource(
        ctx: ServerRequestContext[Any], params: types.ReadResourceRequestParams
    ) -> types.ReadResourceResult:
        try:
            text, mime = resources.read(str(params.uri))
        except DispatchError as exc:
            raise MCPError(code=types.INVALID_PARAMS, message=exc.one_line(), data={"uri": str(params.uri)}) from None
        return types.ReadResourceResult(
            contents=[types.TextResourceContents(uri=str(params.uri), text=text, mime_type=mime)]
        )

    return Server(
        "dispatch",
        version=__version__,
        instructions=INSTRUCTIONS,
        on_list_tools=list_tools,
        on_call_tool=call_tool,
        on_list_resources=list_resources,
        on_list_resource_templates=list_templates,
        on_read_resource=read_resource,
    )


def _result(data: Any, error: str | None) -> types.CallToolResult:
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=f"{error}\n{text}" if error else text)],
        structured_content=data if isinstance(data, dict) else {"value": data},
        is_error=error is not None,
    )


async def serve(door: tools.Door) -> None:
    """Serve one host over stdin/stdout until it closes them, or a signal stops the server."""
    server = build(door)
    loop = asyncio.get_running_loop()
    for number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(number, lambda: loop.create_task(_stop(door)))
    try:
        async with stdio_server() as (read, write):
            await server.run(AnsweringBadLines(read, write), write, server.create_initialization_options())
    finally:
        await door.runs.stop_all()


class AnsweringBadLines:
    """The host's messages as the SDK reads them, with a line that is not one answered as JSON-RPC says: -32700
    for text that is not JSON, -32600 for JSON that is not a message, with a null id as no request can be named.
    The SDK drops such a line with a debug log, so a host that sent garbage waited for an answer that never came.
    A request whose id is not a string or an integer (null, 1.5, true, an object) is one too: the SDK reads it as
    a notification, as it reads one with no id, and drops it. MCP's notifications are all `notifications/...`, so
    any other method without a usable id is answered -32600 rather than left waiting."""

    def __init__(self, read: Any, write: Any) -> None:
        self._read = read
        self._write = write

    def __getattr__(self, name: str) -> Any:
        return getattr(self._read, name)  # `last_context`, the context the line was read in

    def __aiter__(self) -> AnsweringBadLines:
        return self

    async def __anext__(self) -> Any:
        while True:
            item = await self._read.__anext__()
            if isinstance(item, Exception):
                not_json = any(problem.get("type") == "json_invalid" for problem in getattr(item, "errors", list)())
                code, what = (types.PARSE_ERROR, "not JSON") if not_json else (types.INVALID_REQUEST, "not a message")
                await self._refuse(code, f"the line received is {what}: send one JSON-RPC message a line")
            elif isinstance(item.message, types.JSONRPCNotification) and not item.message.method.startswith(
                "notifications/"
            ):
                await self._refuse(
                    types.INVALID_REQUEST,
                    f"request {item.message.method} has no usable id: an id must be a string or an integer",
                )
            else:
                return item

    async def _refuse(self, code: int, message: str) -> None:
        error = types.ErrorData(code=code, message=message)
        await self._write.send(SessionMessage(types.JSONRPCError(jsonrpc="2.0", id=None, error=error)))

    async def __aenter__(self) -> AnsweringBadLines:
        await self._read.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._read.__aexit__(*exc)


async def _stop(door: tools.Door) -> None:
    """Record the live runs interrupted, then exit at once: the SDK reads stdin in a thread that no cancellation
    reaches, so waiting for the loop to wind down would wait for the host to close stdin."""
    await door.runs.stop_all()
    print("dispatch: MCP server stopped by a signal", file=sys.stderr, flush=True)
    os._exit(int(ExitCode.INTERRUPTED))


def run(roots: Roots) -> int:
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="dispatch mcp: %(levelname)s %(message)s")
    print(
        f"dispatch: MCP server on stdio, {len(tools.TOOLS)} tools; calls may use "
        f"{', '.join(str(root) for root in roots.all())}",
        file=sys.stderr,
        flush=True,
    )
    try:
        asyncio.run(serve(tools.Door(Runs(), roots)))
    except* (BrokenPipeError, ConnectionResetError):
        # The host closed our stdout; the runs in flight were recorded interrupted on the way out.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        print("dispatch: the MCP host closed the connection", file=sys.stderr, flush=True)
    return int(ExitCode.OK)
