# stand-in for nightly order export
