# stand-in for scheduler holidays (HOLIDAYS_2026, is_holiday)
