import sys
sys.path.insert(0, "legal/scripts")
from bates_stamp import ranges


def test_consecutive_ranges():
    assert ranges("OKF", 1, [3, 1]) == [("OKF000001", "OKF000003"), ("OKF000004", "OKF000004")]
