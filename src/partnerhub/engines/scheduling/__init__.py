"""B2B meeting scheduling (format: shared/formats/b2b-scheduling.md). No Django here."""
