"""dispatch-console's engine: specs, routing, backends and the audit trail, with no UI in it."""

import sys

__version__ = "0.1.0"

# httpx imports its command-line tool (click, pygments and rich) whenever click is installed, and the MCP SDK's
# uvicorn dependency installs click: every `import httpx` would load rich into the engine and cost each headless
# run ~80 ms. Marking that one optional module absent makes httpx fall back to its stub `main`; nothing here uses
# the httpx command. tests/core/test_import_hygiene.py proves core stays free of rich with click installed.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
