"""The Output contract, checked after the run: the checks a careful reviewer would make of an answer, derived from
the spec's Output section phrase by phrase (core/checklist/output_shape.py only asks, before the run, that there be a
contract at all).

Each check names the phrase it came from; a phrase no check can be drawn from is listed as unchecked, never counted
as passed. The checks parse with the real parsers (json, tomllib, csv, PyYAML, jsonschema, ast for Python).
"""

from core.contract.derive import Contract, derive
from core.contract.report import Report, evaluate

__all__ = ["Contract", "Report", "derive", "evaluate"]
