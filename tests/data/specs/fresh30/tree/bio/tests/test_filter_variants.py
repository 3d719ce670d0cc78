import sys, os
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scripts"))
from filter_variants import passes

def row(qual, flt):
    return ["chr1", "100", ".", "A", "G", qual, flt, "."]

def test_pass_high_qual():
    assert passes(row("45", "PASS"), 30)

def test_missing_qual_fails():
    assert not passes(row(".", "PASS"), 30)

def test_lowqual_filter_fails():
    assert not passes(row("60", "LowQual"), 30)
