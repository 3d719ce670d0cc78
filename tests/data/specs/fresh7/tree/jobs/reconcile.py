# stand-in: nightly reconcile job
