"""Analysis, schema, writing builds, the index home and its lock."""
