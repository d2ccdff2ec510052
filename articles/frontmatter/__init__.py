"""The operators' room: front-matter files in and out.

`reading` parses a file, `mapping` turns its keys into an `ArticleData` (the one front-matter
table), `identity` decides which article a file is, `saving` writes batches, `run` drives a whole
import on every core, `exporting` writes articles back as files the importer reads as they were.
The commands import from here only.
"""

from .duplicates import likely_duplicates
from .errors import ImportFailure, ImportSkip
from .exporting import export_article
from .files import DEFAULT_EXTENSIONS, find_sources
from .mapping import ArticleData, ImportOptions, map_source
from .reading import read_source
from .run import Importer
from .saving import FileOutcome, Outcome

__all__ = [
    "DEFAULT_EXTENSIONS",
    "ArticleData",
    "FileOutcome",
    "ImportFailure",
    "ImportOptions",
    "ImportSkip",
    "Importer",
    "Outcome",
    "export_article",
    "find_sources",
    "likely_duplicates",
    "map_source",
    "read_source",
]
