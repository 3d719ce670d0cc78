from scripts.label_lint import check_label

def test_short_label_ok():
    assert check_label("A small tea bowl.") == []

def test_long_label_flagged():
    assert check_label("word " * 81)[0].startswith("too long")
