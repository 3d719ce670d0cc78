# stand-in for cohort tests
