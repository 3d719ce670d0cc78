import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hpc" / "scripts"))
from sacct_report import cpu_hours_by_user, parse  # noqa: E402

SAMPLE = """User|JobID|Partition|AllocCPUS|ElapsedRaw|State
alee|101|standard|4|3600|COMPLETED
alee|102|gpu|8|1800|COMPLETED
bkim|103|standard|2|7200|FAILED
"""


def test_cpu_hours():
    totals = cpu_hours_by_user(parse(SAMPLE.splitlines()))
    assert totals == {"alee": 8.0, "bkim": 4.0}
