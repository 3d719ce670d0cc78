"""`dispatch batch`: many dispatches in one process. manifest (what the items are), limits (shared rate
limits), budgets (spending caps), executor (where an item runs), runner (the batch itself), trail (its record)."""
