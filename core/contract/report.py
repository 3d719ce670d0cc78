"""A contract's checks run on one answer: the envelope's `contract` and, on failure, the re-ask that lists them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.contract.derive import Contract
from core.contract.reply import Reply


@dataclass
class Report:
    checks: list[dict[str, Any]]

    @property
    def failed(self) -> list[dict[str, Any]]:
        return [check for check in self.checks if check["passed"] is False]

    @property
    def passed(self) -> bool | None:
        """False on any failed check; None when nothing could be checked (an answer is never passed on a guess)."""
        if self.failed:
            return False
        return True if any(check["passed"] for check in self.checks) else None

    def to_dict(self) -> dict[str, Any]:
        return {"passed": self.passed, "checks": self.checks}

    def summary(self) -> str:
        """One line: the first failure and how many more."""
        first = self.failed[0]
        more = f" (and {len(self.failed) - 1} more)" if len(self.failed) > 1 else ""
        return f"{first['rule']} ({first['source']!r}): {first['detail']}{more}"

    def reask(self) -> str:
        """The follow-up that asks for the answer again, each failed check with the contract's words."""
        lines = [f"- {c['detail']} (the Output section says {c['source']!r})" for c in self.failed]
        return (
            "Your answer does not meet the Output contract of the spec:\n"
            + "\n".join(lines)
            + "\nAnswer again, in full, following the Output section exactly. Do not apologise or explain; give only"
            " the corrected answer."
        )


def evaluate(contract: Contract, answer: str) -> Report:
    reply = Reply(answer)
    return Report([check.run(reply) for check in contract.checks])
