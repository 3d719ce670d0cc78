"""The agent's door over MCP: `dispatch mcp` serves the same engine the CLI drives, as tools and resources.

arguments.py  the tools' JSON schemas and the checks that turn arguments into the CLI's request fields
runs.py       runs started through the door, live as tasks until they end (then the trail answers)
tools.py      the tools: schema, description, and a thin handler over the CLI's own functions
resources.py  dispatch:// resources for earlier runs and projects
server.py     the MCP server over stdio (the official SDK's low-level server)
launch.py     the command a host registers to start it
claude_code.py  install / uninstall into Claude Code (the skill and the server)
"""
