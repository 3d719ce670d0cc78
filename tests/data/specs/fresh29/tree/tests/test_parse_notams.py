from ops.notams.parse_notams import load_notams


def test_loads_all_rows():
    rows = load_notams("ops/notams/active_notams.csv")
    assert len(rows) == 4
    assert rows[2]["expires"] is None  # PERM
