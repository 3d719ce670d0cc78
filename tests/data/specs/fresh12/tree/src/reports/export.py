# stand-in for monthly report CSV export (build_monthly_export)
