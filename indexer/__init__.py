"""tipsearch: full-text search over State Department country report narratives."""

from indexer import processes as _processes  # noqa: F401  (every forked child dies with its parent)
