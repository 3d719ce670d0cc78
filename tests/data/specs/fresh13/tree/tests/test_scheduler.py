# stand-in for scheduler tests incl. test_job_fires_once
