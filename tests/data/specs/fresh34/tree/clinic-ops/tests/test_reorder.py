import sys
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "inventory"))
import reorder

def test_no_reorder_when_above_point():
    assert reorder.suggest({"on_hand": "35", "reorder_point": "20", "pack_size": "10"}) == 0

def test_basic_shortfall():
    assert reorder.suggest({"on_hand": "4", "reorder_point": "6", "pack_size": "1"}) == 2
