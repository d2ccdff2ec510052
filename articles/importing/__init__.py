"""Bringing front-matter files in: `reading` parses a file, `mapping` turns its keys into an
`ArticleData`, `saving` writes it. The `import_articles` command only loops and reports."""

from .errors import ImportFailure

__all__ = ["ImportFailure"]
