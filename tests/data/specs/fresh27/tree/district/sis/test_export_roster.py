from district.sis.export_roster import transform

FM = {"StudentID": "externalId", "SchoolEmail": "primaryEmail", "GradeLevel": "orgUnitGrade"}


def test_skips_rows_without_email():
    rows = [{"StudentID": "1", "SchoolEmail": "", "GradeLevel": "3"}]
    assert transform(rows, FM) == []


def test_strips_whitespace():
    rows = [{"StudentID": " 7 ", "SchoolEmail": "a@mrusd.org", "GradeLevel": "K"}]
    assert transform(rows, FM)[0]["externalId"] == "7"
