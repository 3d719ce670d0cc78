from ops.scripts.check_rest import check


def test_flags_short_rest():
    problems = check("ops/crew/pairings_2026-12.csv", "ops/crew/duty_rules.yaml")
    assert ("C.Ouellet", "P4103", 9.1) in problems
