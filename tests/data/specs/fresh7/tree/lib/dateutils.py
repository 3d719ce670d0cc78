# stand-in: month_end and other date helpers
