# stand-in: tests incl. test_month_end_leap_year
