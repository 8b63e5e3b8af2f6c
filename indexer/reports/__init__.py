"""Report records and parsing: narratives, tiers, countries, editions (no I/O)."""
