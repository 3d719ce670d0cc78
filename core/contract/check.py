"""One derived check: the rule, the phrase of the Output section it came from, and the test it runs on a reply."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from core.contract.reply import Reply

Verdict = tuple[bool, str]
"""Whether the reply passed, and what was found (shown either way: 'valid JSON object, 3 keys')."""
Test = Callable[[Reply], Verdict]


@dataclass(frozen=True)
class Check:
    rule: str
    source: str
    test: Test | None
    """None: the phrase names something no mechanical check can confirm; listed as unchecked."""
    note: str = ""
    """Why it is unchecked."""

    def run(self, reply: Reply) -> dict[str, object]:
        if self.test is None:
            return {"rule": self.rule, "source": self.source, "passed": None, "detail": self.note}
        passed, detail = self.test(reply)
        return {"rule": self.rule, "source": self.source, "passed": passed, "detail": detail}
