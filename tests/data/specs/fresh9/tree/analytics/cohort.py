# stand-in for cohort analysis with weekly_retention
