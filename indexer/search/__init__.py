"""Searching a build: queries, ranking, facets, snippets, suggestions, similar narratives."""
