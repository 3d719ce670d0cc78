"""dispatch-console's engine: specs, routing, backends and the audit trail, with no UI in it."""

__version__ = "0.1.0"
