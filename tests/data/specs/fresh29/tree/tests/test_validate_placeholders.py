from loc.tools.validate_placeholders import mismatches


def test_de_item_name_mismatch():
    out = mismatches("loc/strings/en-US/ui_strings.csv", "loc/strings/de-DE/ui_strings.csv")
    assert any(sid == "QUEST_REWARD" for sid, _, _ in out)
