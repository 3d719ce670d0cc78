import sys
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "rota"))
import build_rota

RULES = {"max_shifts_per_week": 5, "max_consecutive_nights": 3}

def test_shift_count_ok():
    rota = [{"staff": "Kaur", "role": "N", "branch": "WB", "day": d, "shift": "D"} for d in ["Mon", "Tue"]]
    assert build_rota.violations(rota, RULES) == []
