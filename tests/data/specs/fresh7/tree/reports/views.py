# stand-in: monthly_report view
