"""The audit before certification: coverage matrix, deadlines, provenance, HTML report, pack."""
