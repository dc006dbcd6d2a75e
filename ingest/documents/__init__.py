"""Documents in: readers, cleaning with provenance, structure, attribution, case splitting."""
