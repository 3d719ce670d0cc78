"""The audit trail: per-project plain files are the truth; an index beside them is rebuildable."""
