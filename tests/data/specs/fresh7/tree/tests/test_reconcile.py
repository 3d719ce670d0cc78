# stand-in: tests for jobs.reconcile
