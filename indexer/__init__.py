"""tipsearch: full-text search over State Department country report narratives."""
